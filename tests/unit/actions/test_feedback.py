"""The "Was this helpful?" buttons and the answers to them."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerFact
from actions.feedback import ActionFeedback, feedback_buttons
from core.facts import Content
from core.feedback import feedback_payload
from extensions.channels.facebook import MAX_QUICK_REPLY_TITLE_CHARS
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


def test_every_facts_named_buttons_fit_in_a_messenger_quick_reply(content: Content) -> None:
    """Messenger shows at most 20 characters of a quick reply's title; longer titles would be
    replaced with numbers.
    """
    for fact in content.facts:
        titles = [b["title"] for b in feedback_buttons(fact.id, fact.subject)]
        assert all(len(title) <= MAX_QUICK_REPLY_TITLE_CHARS for title in titles), titles


def test_a_reply_with_two_facts_asks_once_with_buttons_that_name_each_answer(
    content: Content,
) -> None:
    """How long off work, and will I need a brace? once got "Was the answer on recovery
    helpful?" twice, word for word, each with its own Yes and No.
    """
    dispatcher = CollectingDispatcher()
    questions = [{"intent": "ask_recovery_time"}, {"intent": "ask_brace"}]
    tracker = make_tracker("ask_recovery_time", questions=questions, input_channel="telegram")
    ActionAnswerFact().run(dispatcher, tracker, {})
    time_off = content.fact_for_intent("ask_recovery_time")
    brace = content.fact_for_intent("ask_brace")
    asks = [m for m in dispatcher.messages if m.get("buttons")]
    assert [ask["response"] for ask in asks] == ["utter_ask_feedback_on_answers"]
    assert [(b["title"], b["payload"]) for b in asks[0]["buttons"]] == [
        ("Time off work: yes", feedback_payload(time_off.id, True)),
        ("Time off work: no", feedback_payload(time_off.id, False)),
        ("The brace: yes", feedback_payload(brace.id, True)),
        ("The brace: no", feedback_payload(brace.id, False)),
    ]


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
