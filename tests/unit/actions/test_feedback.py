"""The "Was this helpful?" buttons and the answers to them."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerFact
from actions.feedback import ActionFeedback, feedback_buttons
from core.facts import Content
from tests.support.trackers import make_tracker


def test_buttons_say_yes_and_no_with_the_fact_and_the_verdict() -> None:
    assert feedback_buttons("recovery_time") == [
        {"title": "Yes", "payload": '/feedback{"fact":"recovery_time","helpful":true}'},
        {"title": "No", "payload": '/feedback{"fact":"recovery_time","helpful":false}'},
    ]


def test_every_facts_buttons_fit_in_a_telegram_callback(content: Content) -> None:
    """Telegram refuses a button whose callback data is over 64 bytes."""
    for fact in content.facts:
        assert all(len(b["payload"].encode()) <= 64 for b in feedback_buttons(fact.id)), fact.id


@pytest.mark.parametrize("channel", [None, "rest", "widget", "socketio", "telegram", "slack"])
def test_a_fact_asks_for_feedback_where_the_channel_has_buttons(
    content: Content, channel: str | None
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ask_brace", input_channel=channel)
    ActionAnswerFact().run(dispatcher, tracker, {})
    ask = dispatcher.messages[-1]
    assert ask["response"] == "utter_ask_feedback"
    assert ask["buttons"] == feedback_buttons(content.fact_for_intent("ask_brace").id)


def test_sms_and_whatsapp_get_the_fact_without_feedback_buttons(content: Content) -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerFact().run(dispatcher, make_tracker("ask_brace", input_channel="twilio"), {})
    assert [m.get("response") or m.get("text") for m in dispatcher.messages] == [
        content.fact_for_intent("ask_brace").answer,
        "utter_provider_pointer",
    ]
    assert not any(m.get("buttons") for m in dispatcher.messages)


@pytest.mark.parametrize(
    ("helpful", "response"),
    [(True, "utter_feedback_thanks"), (False, "utter_feedback_not_helpful")],
)
def test_the_verdict_gets_thanks_or_the_provider_and_changes_nothing(
    helpful: bool, response: str
) -> None:
    dispatcher = CollectingDispatcher()
    entities = [
        {"entity": "fact", "value": "recovery_time"},
        {"entity": "helpful", "value": helpful},
    ]
    events = ActionFeedback().run(dispatcher, make_tracker("feedback", entities), {})
    assert [m["response"] for m in dispatcher.messages] == [response]
    assert events == []
