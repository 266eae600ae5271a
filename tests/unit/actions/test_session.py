"""The disclaimer opens every conversation once, even when the widget asks for a start again."""

from typing import Any

from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart, session_already_open
from tests.support.trackers import make_tracker

STARTED = {"event": "session_started"}
LISTEN = {"event": "action", "name": "action_listen"}


def user(intent: str) -> dict[str, Any]:
    return {"event": "user", "text": "...", "parse_data": {"intent": {"name": intent}}}


def start_session(events: list[dict[str, Any]]) -> tuple:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker()
    tracker.events = events
    returned = ActionSessionStart().run(dispatcher, tracker, {})
    return [m.get("response") for m in dispatcher.messages], returned


def test_new_conversation_starts_with_the_disclaimer() -> None:
    said, events = start_session([])
    assert said == ["utter_disclaimer"]
    assert events == [SessionStarted(), ActionExecuted("action_listen")]


def test_a_second_start_before_any_question_only_listens() -> None:
    said, events = start_session([STARTED, LISTEN, user("session_start")])
    assert said == []
    assert events == [ActionExecuted("action_listen")]


def test_an_expired_session_with_questions_starts_again_with_the_disclaimer() -> None:
    said, events = start_session([STARTED, LISTEN, user("ask_mobility"), {"event": "bot"}])
    assert said == ["utter_disclaimer"]
    assert SessionStarted() in events


def test_session_already_open_reads_back_to_the_latest_start() -> None:
    assert session_already_open([STARTED, LISTEN, user("session_start"), user("session_start")])
    assert not session_already_open([STARTED, user("greet"), user("session_start")])
    assert not session_already_open([])
