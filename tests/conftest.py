"""Shared fixtures: the real facts file, trackers for the actions, running servers."""

import logging
from pathlib import Path
from typing import Any

import pytest
from rasa.utils.log_utils import configure_structlog
from rasa_sdk import Tracker

from actions.facts import Content, load_content
from tests.running_assistant import RunningAssistant

# Rasa's structured logger prints every parse at debug level unless configured.
configure_structlog(logging.WARNING)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


def make_tracker(
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    text: str = "",
    questions: list[dict[str, Any]] | None = None,
    intent_ranking: list[dict[str, Any]] | None = None,
    input_channel: str | None = None,
) -> Tracker:
    """A tracker whose latest message is `text` classified as `intent`, sent through
    `input_channel`, with the `questions` SeveralQuestionsClassifier found in it, if any.
    """
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99} if intent else {},
        "entities": entities or [],
        **({"questions": questions} if questions is not None else {}),
        **({"intent_ranking": intent_ranking} if intent_ranking is not None else {}),
    }
    return Tracker(
        sender_id="test-user",
        slots={"topic": None, "answered_facts": None, **(slots or {})},
        latest_message=latest_message,
        events=[{"event": "user", "input_channel": input_channel}] if input_channel else [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> RunningAssistant:
    """Both servers, started once for the end-to-end tests of the session."""
    running = RunningAssistant(Path(tmp_path_factory.mktemp("assistant"))).start()
    yield running
    running.stop()
