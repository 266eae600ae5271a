"""Shared fixtures, and each folder's marker, so that `-m` picks a kind of test.

tests/unit/ needs no trained model and starts nothing. tests/e2e/ loads the trained model or
starts the servers; tests/browser/ drives Chromium; tests/scale/ starts the production profile.
"""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.utils.log_utils import configure_structlog

from core.facts import Content, load_content
from evaluation.support.running_assistant import RunningAssistant, free_port

# Rasa's structured logger prints every parse at debug level unless configured.
configure_structlog(logging.WARNING)

MARKED_FOLDERS = ("e2e", "browser", "scale")
# The other sites whose pages the tests' assistant lets use the widget: one the e2e tests name,
# and a page the browser tests serve on this port (tests/browser/test_widget.py).
LISTED_SITE_PORT = free_port()
LISTED_SITES = ("https://clinic.example", f"http://localhost:{LISTED_SITE_PORT}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by its folder under tests/, so the folder alone decides its kind."""
    tests = config.rootpath / "tests"
    for item in items:
        if item.path.is_relative_to(tests):
            folder = item.path.relative_to(tests).parts[0]
            if folder in MARKED_FOLDERS:
                item.add_marker(folder)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """Both servers, started once for the end-to-end and browser tests of the session, with
    the widget open to LISTED_SITES as an operator lists theirs.
    """
    running = RunningAssistant(
        Path(tmp_path_factory.mktemp("assistant")),
        env={"WIDGET_ALLOWED_ORIGINS": " ".join(LISTED_SITES)},
    ).start()
    yield running
    running.stop()
