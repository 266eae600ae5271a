"""Trackers for the actions' tests, as rasa-sdk hands them to an action."""

from typing import Any

from rasa_sdk import Tracker


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
