# Two commands for everyone: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
SPACY_MODEL := .spacy/en_spine_fusion
MODEL := models/spine-fusion.tar.gz
# data/facts.yml is read at run time, so editing it needs no retraining.
TRAINING_FILES := config.yml domain.yml $(shell find data -name '*.yml' ! -name facts.yml)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install train run test lint lock clean

help:
	@echo "make run    install if needed, train if needed, start the assistant"
	@echo "make test   install, train and run every test"
	@echo "make lock   re-pin constraints.txt from requirements*.txt"

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
	$(BIN)/python -m pytest

lock:
	@python=$$(PYTHON="$(PYTHON)" scripts/find-python310) || exit 1; \
	rm -rf /tmp/spine-fusion-lock && "$$python" -m venv /tmp/spine-fusion-lock && \
	/tmp/spine-fusion-lock/bin/pip install --quiet -r requirements-dev.txt && \
	{ echo "# Exact versions of every package, so that installs are repeatable."; \
	  echo "# Regenerate with 'make lock' after changing requirements*.txt."; \
	  /tmp/spine-fusion-lock/bin/pip freeze; } > constraints.txt

clean:
	rm -rf $(VENV) .spacy models/*.tar.gz results reports
