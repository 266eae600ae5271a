# Two commands for everyone: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
SPACY_MODEL := .spacy/en_spine_fusion
MODEL := models/spine-fusion.tar.gz
# data/facts.yml is read at run time, so editing it needs no retraining; the trained custom
# component is part of the model, so changing its code does.
TRAINING_FILES := config.yml domain.yml extensions/nlu/blended_intent_classifier.py \
	$(shell find data -name '*.yml' ! -name facts.yml)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install train run test lint lock clean audit purge test-scale evaluate bench

help:
	@echo "make run    install if needed, train if needed, start the assistant"
	@echo "make test   install, train and run every test"
	@echo "make lock   re-pin constraints.txt from requirements*.txt"
	@echo "make evaluate  NLU quality: our pipeline beside Rasa's default and two baselines"
	@echo "make bench     latency, throughput, start-up and memory of the running servers"

$(BIN)/.installed: requirements.txt requirements-dev.txt constraints.txt scripts/find-python310
	@python=$$(PYTHON="$(PYTHON)" scripts/find-python310) || exit 1; \
	if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then \
		echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV) || exit 1; \
	fi
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

$(SPACY_MODEL)/meta.json: $(BIN)/.installed spacy_pipeline/build.py spacy_pipeline/entity_patterns.jsonl
	$(BIN)/python -m spacy_pipeline.build --output $(SPACY_MODEL)

install: $(BIN)/.installed $(SPACY_MODEL)/meta.json

$(MODEL): $(SPACY_MODEL)/meta.json $(TRAINING_FILES)
	$(BIN)/rasa train --fixed-model-name spine-fusion --out models
	@touch $@

train: $(MODEL)

run: install train
	@scripts/run-assistant

# Trains our pipeline, Rasa's default pipeline and two baselines on data/nlu, scores them on
# tests/nlu/heldout.yml, cross-validates ours: reports/evaluation/, docs/confusion_matrix.png.
evaluate: install
	$(BIN)/python -m evaluation.compare

# Starts both servers and talks to them on loopback (a few minutes): reports/bench/bench.json.
bench: install train
	$(BIN)/python -m evaluation.bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The widget's browser tests drive Debian's Chromium (Playwright cannot download its own here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
		echo "error: the browser tests need Debian's chromium: sudo apt-get install chromium chromium-driver"; \
		exit 1; \
	fi
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

test: lint train $(CHROMIUM)
	$(BIN)/rasa test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/core
	$(BIN)/python -m pytest --ignore=$(SCALE_TESTS)

lock:
	@python=$$(PYTHON="$(PYTHON)" scripts/find-python310) || exit 1; \
	rm -rf /tmp/spine-fusion-lock && "$$python" -m venv /tmp/spine-fusion-lock && \
	/tmp/spine-fusion-lock/bin/pip install --quiet -r requirements-dev.txt && \
	{ echo "# Exact versions of every package, so that installs are repeatable."; \
	  echo "# Regenerate with 'make lock' after changing requirements*.txt."; \
	  /tmp/spine-fusion-lock/bin/pip freeze; } > constraints.txt

# The production profile (README, "Scaling out") on loopback: PostgreSQL, Redis, nginx from
# Debian, one action server and two Rasa replicas; tests/scale/ starts and stops them all.
SCALE_PACKAGES := postgresql redis-server nginx-light
SCALE_TESTS := tests/scale/test_scale.py
test-scale: install train
	@if ! { command -v nginx && command -v redis-server && ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1; then \
		if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
			echo "error: make test-scale needs root and Debian: apt-get install $(SCALE_PACKAGES)"; \
			exit 1; \
		fi; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SCALE_PACKAGES); \
	fi
	$(BIN)/python -m pytest $(SCALE_TESTS)

# Retention: deletes conversations idle for more than DAYS days from the tracker store that
# ENDPOINTS (default endpoints.yml) names. Run it daily, e.g. from cron.
purge: $(BIN)/.installed
	@[ -n "$(DAYS)" ] || { echo "usage: make purge DAYS=N [ENDPOINTS=endpoints.yml]"; exit 2; }
	$(BIN)/python -m ops.retention --days "$(DAYS)" --endpoints "$(or $(ENDPOINTS),endpoints.yml)"

# pip-audit needs a newer `packaging` than rasa allows, so it gets a venv of its own. --strict:
# a package that could not be checked fails the audit instead of passing silently.
AUDIT_VENV := .venv-audit
$(AUDIT_VENV)/bin/pip-audit:
	python3 -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/pip install --quiet --disable-pip-version-check pip-audit==2.10.1

audit: $(AUDIT_VENV)/bin/pip-audit
	$(AUDIT_VENV)/bin/pip-audit --requirement constraints.txt --no-deps --disable-pip --strict \
		--progress-spinner off

clean:
	rm -rf $(VENV) .spacy models/*.tar.gz results reports
