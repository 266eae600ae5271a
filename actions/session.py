"""Starts each conversation with the disclaimer, exactly once."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

SESSION_START_INTENT = "session_start"


def session_already_open(events: list[dict[str, Any]]) -> bool:
    """True when a session has started and the user has asked nothing in it yet.

    The widget opens each conversation with /session_start, which can follow the
    automatic start: that second start must neither repeat the disclaimer nor
    begin another session.
    """
    for event in reversed(events):
        if event.get("event") == "session_started":
            return True
        if event.get("event") == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            if intent.get("name") != SESSION_START_INTENT:
                return False
    return False


class ActionSessionStart(Action):
    """Rasa's session start, plus the disclaimer at the top of every new conversation."""

    def name(self) -> str:
        return "action_session_start"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Rasa predicts nothing after a session start: it must end by listening.
        if session_already_open(tracker.events):
            return [ActionExecuted("action_listen")]
        dispatcher.utter_message(response="utter_disclaimer")
        return [SessionStarted(), ActionExecuted("action_listen")]
