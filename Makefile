# Two commands for everyone: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
SPACY_MODEL := .spacy/en_spine_fusion
# core/paths.py names the same file for Python; make needs it before Python is installed.
MODEL := models/spine-fusion.tar.gz
# data/facts.yml is read at run time, so editing it needs no retraining; the trained custom
# component is part of the model, so changing its code does.
TRAINING_FILES := config.yml domain.yml extensions/nlu/blended_intent_classifier.py \
	extensions/nlu/sentence_count_vectors.py \
	extensions/nlu/several_questions.py \
	extensions/nlu/self_harm_classifier.py extensions/nlu/word_llama.py \
	extensions/nlu/word_llama_featurizer.py \
	extensions/policies/red_flag_policy.py \
	$(shell find data -name '*.yml' ! -name facts.yml)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install train run test unit lint lock clean audit purge test-scale evaluate bench \
	report review review-apply report-bench transcript export forget

# Each target's `## ` comment is its line in `make help`.
help: ## list the targets
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-z-]+:.*## / {printf "make %-13s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

$(BIN)/.installed: requirements.txt requirements-dev.txt constraints.txt scripts/find-python310
	@python=$$(PYTHON="$(PYTHON)" scripts/find-python310) || exit 1; \
	if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then \
		echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV) || exit 1; \
	fi
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

$(SPACY_MODEL)/meta.json: $(BIN)/.installed spacy_pipeline/build.py spacy_pipeline/entity_patterns.jsonl
	$(BIN)/python -m spacy_pipeline.build --output $(SPACY_MODEL)

# WordLlama's token embeddings and tokenizer (extensions/nlu/word_llama.py): only the files of
# its wheel, since the package's own dependencies (numpy 2, pydantic 2) don't fit Rasa 3.6.
WORDLLAMA := .wordllama/wordllama/weights/l2_supercat_256.safetensors
WORDLLAMA_VERSION := 0.4.0.post1
$(WORDLLAMA): $(BIN)/.installed
	rm -rf .wordllama
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --target .wordllama \
		wordllama==$(WORDLLAMA_VERSION)
	@touch $@

install: $(BIN)/.installed $(SPACY_MODEL)/meta.json $(WORDLLAMA) ## the venv from constraints.txt, our spaCy pipeline, WordLlama's files

$(MODEL): $(SPACY_MODEL)/meta.json $(WORDLLAMA) $(TRAINING_FILES)
	$(BIN)/rasa train --fixed-model-name spine-fusion --out models
	@touch $@

train: $(MODEL) ## train the model if its training files changed

run: install train ## install if needed, train if needed, start the assistant
	@scripts/run-assistant

# Trains our pipeline, Rasa's default pipeline and two baselines on data/nlu, scores them on
# tests/nlu/heldout.yml, cross-validates ours, then judges the trained assistant end to end on
# ../shared/evaluation/dev_set.yml: reports/evaluation/, docs/*confusion_matrix.png.
evaluate: install train ## NLU quality beside baselines, and the development set end to end
	$(BIN)/python -m evaluation.quality.compare

# Starts both servers and talks to them on loopback (a few minutes): reports/bench/bench.json.
bench: install train ## latency, throughput, start-up and memory of the running servers
	$(BIN)/python -m evaluation.speed.bench

lint: install ## ruff's lint and format checks, mypy's type checks (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The widget's browser tests drive Debian's Chromium (Playwright cannot download its own here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
		echo "error: the browser tests need Debian's chromium: sudo apt-get install chromium chromium-driver"; \
		exit 1; \
	fi
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

# The unit tests come first and need no model, so a broken import fails in seconds.
unit: install ## the fast tests: no trained model, no server (tests/unit/)
	$(BIN)/python -m pytest -m "not e2e and not browser and not scale"

test: lint unit train $(CHROMIUM) ## lint, unit tests, train, then the stories, e2e and browser tests
	$(BIN)/rasa test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/core
	$(BIN)/python -m pytest -m "e2e or browser"

lock: ## re-pin constraints.txt from requirements*.txt (needs the network)
	@python=$$(PYTHON="$(PYTHON)" scripts/find-python310) || exit 1; \
	rm -rf /tmp/spine-fusion-lock && "$$python" -m venv /tmp/spine-fusion-lock && \
	/tmp/spine-fusion-lock/bin/pip install --quiet -r requirements-dev.txt && \
	{ echo "# Exact versions of every package, so that installs are repeatable."; \
	  echo "# Regenerate with 'make lock' after changing requirements*.txt."; \
	  /tmp/spine-fusion-lock/bin/pip freeze; } > constraints.txt

# The production profile (docs/scaling.md) on loopback: PostgreSQL, Redis, nginx from
# Debian, one action server and two Rasa replicas; tests/scale/ starts and stops them all.
SCALE_PACKAGES := postgresql redis-server nginx-light
test-scale: install train ## the production profile on loopback (root and Debian)
	@if ! { command -v nginx && command -v redis-server && ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1; then \
		if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
			echo "error: make test-scale needs root and Debian: apt-get install $(SCALE_PACKAGES)"; \
			exit 1; \
		fi; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SCALE_PACKAGES); \
	fi
	$(BIN)/python -m pytest -m scale

# Retention: deletes conversations idle for more than DAYS days from the tracker store that
# ENDPOINTS (default endpoints.yml) names. Run it daily, e.g. from cron.
purge: $(BIN)/.installed ## delete conversations idle for DAYS days: make purge DAYS=30
	@[ -n "$(DAYS)" ] || { echo "usage: make purge DAYS=N [ENDPOINTS=endpoints.yml]"; exit 2; }
	$(BIN)/python -m ops.retention --days "$(DAYS)" --endpoints "$(or $(ENDPOINTS),endpoints.yml)"

# One person's conversation, from the tracker store ENDPOINTS names (ops/conversation.py):
# printed with each reply's fact and version, copied for them, or deleted. Export and forget
# write an audit line (var/audit.log) that `make report` counts; export's output is only JSON.
CONVERSATION = $(BIN)/python -m ops.conversation --endpoints "$(or $(ENDPOINTS),endpoints.yml)" \
	--sender "$(SENDER)"
transcript: $(BIN)/.installed ## one conversation, redacted unless SHOW_TEXT=1: make transcript SENDER=id
	@[ -n "$(SENDER)" ] || { echo "usage: make transcript SENDER=id [SHOW_TEXT=1]"; exit 2; }
	@$(CONVERSATION) transcript $(if $(filter 1,$(SHOW_TEXT)),--show-text)

export: $(BIN)/.installed ## a person's conversation as JSON: make export SENDER=id > file.json
	@[ -n "$(SENDER)" ] || { echo "usage: make export SENDER=id > file.json" >&2; exit 2; }
	@$(CONVERSATION) export

forget: $(BIN)/.installed ## delete every event of one sender: make forget SENDER=id
	@[ -n "$(SENDER)" ] || { echo "usage: make forget SENDER=id"; exit 2; }
	@$(CONVERSATION) forget

# The operator report of the last DAYS days (default 30) from the tracker store ENDPOINTS names
# (default endpoints.yml): reports/operator/index.html. SHOW_TEXT=0 leaves message texts out.
report: $(BIN)/.installed ## what patients asked, what went unanswered: reports/operator/
	$(BIN)/python -m ops.report --days "$(or $(DAYS),30)" --endpoints "$(or $(ENDPOINTS),endpoints.yml)" \
		$(if $(filter 0,$(SHOW_TEXT)),--no-text)

# The refused and low-confidence questions of the last DAYS days to mark with an intent or
# `ignore`: reports/operator/review.yml (marks already made there are kept).
review: $(BIN)/.installed ## refused and unsure questions to mark: reports/operator/review.yml
	$(BIN)/python -m ops.review write --days "$(or $(DAYS),30)" --endpoints "$(or $(ENDPOINTS),endpoints.yml)"

# Adds the messages marked in reports/operator/review.yml to data/nlu/reviewed.yml; `make run`
# then retrains. Marked messages are recorded in data/reviewed-ledger.txt and not offered again.
review-apply: $(BIN)/.installed ## add the marked questions to data/nlu/reviewed.yml
	$(BIN)/python -m ops.review apply

# Time and peak memory of the report on over 100,000 events of real conversations (a few minutes).
report-bench: install train ## time and peak memory of make report on 100,000 events
	$(BIN)/python -m evaluation.speed.report_bench

# pip-audit needs a newer `packaging` than rasa allows, so it gets a venv of its own. --strict:
# a package that could not be checked fails the audit instead of passing silently.
AUDIT_VENV := .venv-audit
$(AUDIT_VENV)/bin/pip-audit:
	python3 -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/pip install --quiet --disable-pip-version-check pip-audit==2.10.1

audit: $(AUDIT_VENV)/bin/pip-audit ## check the pinned packages for known vulnerabilities
	$(AUDIT_VENV)/bin/pip-audit --requirement constraints.txt --no-deps --disable-pip --strict \
		--progress-spinner off

clean: ## delete the venv, the spaCy pipeline, WordLlama's files, models and reports
	rm -rf $(VENV) .spacy .wordllama models/*.tar.gz results reports
