"""INFO logs of the running servers hold no message text, and even DEBUG logs no contact details."""

from pathlib import Path

import pytest

from evaluation.support.running_assistant import RunningAssistant
from tests.unit.core.test_redaction import EMAIL, MARKER, MESSAGE


def log_after(path: Path, start: int) -> str:
    with path.open("rb") as log:
        log.seek(start)
        return log.read().decode(errors="replace")


def test_info_logs_hold_no_message_text(assistant: RunningAssistant) -> None:
    start = assistant.log_path.stat().st_size
    assistant.texts(assistant.new_conversation(), MESSAGE)
    logged = log_after(assistant.log_path, start)
    assert MARKER not in logged and EMAIL not in logged and "555" not in logged


@pytest.fixture(scope="module")
def debugging_assistant(tmp_path_factory: pytest.TempPathFactory) -> RunningAssistant:
    """Both servers at Rasa's DEBUG level, where Rasa logs every message it parses."""
    env = {"LOG_LEVEL": "DEBUG"}
    running = RunningAssistant(tmp_path_factory.mktemp("debug-log"), env=env).start()
    yield running
    running.stop()


def test_even_debug_logs_hold_no_contact_details(debugging_assistant: RunningAssistant) -> None:
    start = debugging_assistant.log_path.stat().st_size
    debugging_assistant.texts(debugging_assistant.new_conversation(), MESSAGE)
    logged = log_after(debugging_assistant.log_path, start)
    assert MARKER in logged, "Rasa logged no message text at DEBUG: the test proves nothing"
    assert EMAIL not in logged and "555" not in logged
    assert "[email]" in logged and "[phone]" in logged
