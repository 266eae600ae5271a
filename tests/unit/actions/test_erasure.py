"""The deletion action deletes only on a yes to the question that asked to confirm it."""

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.erasure import ActionDeleteConversation
from core.erasure import CONFIRMATION_RESPONSE, DELETED_FLAG, ERASE_SLOT


def tracker_after(previous_action: str, intent: str, channel: str = "rest") -> Tracker:
    """A tracker whose latest message, of `intent` through `channel`, answers the assistant's
    `previous_action`.
    """
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "delete my conversation"},
        {"event": "action", "name": previous_action},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "yes", "input_channel": channel},
    ]
    return Tracker(
        sender_id="test-user",
        slots={},
        latest_message={"text": "yes", "intent": {"name": intent, "confidence": 0.99}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = ActionDeleteConversation().run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_a_yes_to_the_question_deletes_and_says_so() -> None:
    messages, events = run(tracker_after(CONFIRMATION_RESPONSE, "affirm"))
    assert [m["response"] for m in messages] == ["utter_conversation_deleted"]
    assert events == [SlotSet(ERASE_SLOT, True)]


def test_the_widget_is_also_told_to_forget_its_copy_in_the_browser() -> None:
    messages, events = run(tracker_after(CONFIRMATION_RESPONSE, "affirm", channel="widget"))
    assert messages[-1]["custom"] == {DELETED_FLAG: True}
    assert events == [SlotSet(ERASE_SLOT, True)]


@pytest.mark.parametrize(
    "previous_action, intent",
    [(CONFIRMATION_RESPONSE, "deny"), (CONFIRMATION_RESPONSE, "greet"), ("utter_topics", "affirm")],
)
def test_anything_else_deletes_nothing(previous_action: str, intent: str) -> None:
    messages, events = run(tracker_after(previous_action, intent))
    assert [m["response"] for m in messages] == ["utter_conversation_kept"]
    assert events == []
