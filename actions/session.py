"""Starts each conversation with the disclaimer, exactly once."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

SESSION_START_INTENT = "session_start"


def disclaimer_already_shown(events: list[dict[str, Any]]) -> bool:
    """True when the disclaimer was said and the user has asked nothing since.

    The widget opens a conversation with /session_start, which may follow
    the automatic session start: the second start must not repeat it.
    """
    for event in reversed(events):
        if event.get("event") == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            if intent.get("name") != SESSION_START_INTENT:
                return False
        utter_action = (event.get("metadata") or {}).get("utter_action")
        if event.get("event") == "bot" and utter_action == "utter_disclaimer":
            return True
    return False


class ActionSessionStart(Action):
    """Rasa's session start, plus the disclaimer at the top of every new conversation."""

    def name(self) -> str:
        return "action_session_start"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not disclaimer_already_shown(tracker.events):
            dispatcher.utter_message(response="utter_disclaimer")
        return [SessionStarted(), ActionExecuted("action_listen")]
