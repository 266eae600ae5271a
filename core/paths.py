"""The project's files, located once from this package so that no module counts parent folders."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# FACTS_FILE names another facts file for both servers: a clinic's own, or a test's broken one.
FACTS_PATH = Path(os.environ.get("FACTS_FILE") or PROJECT_ROOT / "data" / "facts.yml")
# Operators' forget and export commands append a redacted line here (ops/conversation.py).
AUDIT_LOG_PATH = PROJECT_ROOT / "var" / "audit.log"
# `make train` writes it; scripts/run-assistant, the tests and the bench load it.
MODEL_PATH = PROJECT_ROOT / "models" / "spine-fusion.tar.gz"
# The spaCy pipeline `make install` builds (spacy_pipeline/build.py) and config.yml names.
SPACY_PIPELINE = PROJECT_ROOT / ".spacy" / "en_spine_fusion"
WIDGET_DIR = PROJECT_ROOT / "widget"
