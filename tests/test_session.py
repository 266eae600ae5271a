"""The disclaimer opens every conversation once, even when the widget asks for a start again."""

from typing import Any

from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart, disclaimer_already_shown
from tests.conftest import make_tracker

DISCLAIMER = {"event": "bot", "text": "...", "metadata": {"utter_action": "utter_disclaimer"}}


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


def test_a_second_start_before_any_question_does_not_repeat_it() -> None:
    said, _ = start_session([DISCLAIMER, user("session_start")])
    assert said == []


def test_a_new_session_after_questions_shows_it_again() -> None:
    said, _ = start_session([DISCLAIMER, user("ask_mobility"), {"event": "bot", "text": "..."}])
    assert said == ["utter_disclaimer"]


def test_disclaimer_already_shown_reads_only_the_latest_exchange() -> None:
    assert disclaimer_already_shown([DISCLAIMER])
    assert not disclaimer_already_shown([DISCLAIMER, user("greet")])
    assert not disclaimer_already_shown([{"event": "bot", "text": "hello"}])
