"""Trackers for the actions' tests, as rasa-sdk hands them to an action."""

from typing import Any

from rasa_sdk import Tracker


def make_tracker(
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    text: str = "",
) -> Tracker:
    """A tracker whose latest message is `text` classified as `intent`."""
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99} if intent else {},
        "entities": entities or [],
    }
    return Tracker(
        sender_id="test-user",
        slots={"topic": None, "answered_facts": None, **(slots or {})},
        latest_message=latest_message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
