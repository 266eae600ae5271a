"""The fact-answering actions: verbatim facts, the referral, lead-ins and follow-ups in context."""

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerFact, ActionTellMore, lead_in, next_fact_in_topic
from actions.facts import Content
from tests.conftest import make_tracker


def run(action: Any, **tracker_args: Any) -> tuple:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, make_tracker(**tracker_args), {})
    return dispatcher.messages, events


def responses(messages: list[dict[str, Any]]) -> list[Any]:
    return [m.get("response") or m.get("text") for m in messages]


@pytest.mark.parametrize(
    "intent",
    [
        "ask_what_is_fusion",
        "ask_fusion_necessity",
        "ask_alternatives",
        "ask_mobility",
        "ask_recovery_time",
        "ask_brace",
        "ask_physical_therapy",
    ],
)
def test_fact_intent_gets_its_fact_verbatim_then_the_referral(
    content: Content, intent: str
) -> None:
    fact = content.fact_for_intent(intent)
    messages, events = run(ActionAnswerFact(), intent=intent)
    assert responses(messages) == [fact.answer, "utter_provider_pointer"]
    assert SlotSet("topic", fact.topic) in events
    assert SlotSet("answered_facts", [fact.id]) in events


def test_activity_gets_a_lead_in_naming_it_and_no_other_claim(content: Content) -> None:
    golf = [{"entity": "activity", "value": "golf", "start": 11, "end": 15}]
    messages, _ = run(ActionAnswerFact(), intent="ask_mobility", entities=golf)
    assert messages[0]["response"] == "utter_lead_in_activity"
    assert messages[0]["activity"] == "golf"
    assert responses(messages)[1:] == [
        content.fact_for_intent("ask_mobility").answer,
        "utter_provider_pointer",
    ]


def test_lead_in_prefers_activity_then_spine_region() -> None:
    region = {"entity": "spine_region", "value": "L4-L5"}
    activity = {"entity": "activity", "value": "running"}
    intent = "ask_mobility"
    assert lead_in(intent, [region, activity]) == (
        "utter_lead_in_activity",
        {"activity": "running"},
    )
    assert lead_in(intent, [region]) == ("utter_lead_in_spine_region", {"spine_region": "L4-L5"})
    assert lead_in(intent, [{"entity": "treatment", "value": "brace"}]) is None
    assert lead_in(intent, []) is None


def test_personal_advice_gets_no_decision_then_the_general_fact(content: Content) -> None:
    region = [{"entity": "spine_region", "value": "L4-L5"}]
    messages, _ = run(ActionAnswerFact(), intent="ask_personal_advice", entities=region)
    assert responses(messages) == [
        "utter_no_personal_advice",
        content.fact_for_intent("ask_fusion_necessity").answer,
        "utter_provider_pointer",
    ]


def test_intent_without_a_fact_is_not_answered_with_a_guess() -> None:
    messages, events = run(ActionAnswerFact(), intent="out_of_scope")
    assert responses(messages) == ["utter_cannot_answer", "utter_topics"]
    assert events == []


def test_a_fact_already_given_is_not_listed_twice(content: Content) -> None:
    fact = content.fact_for_intent("ask_brace")
    _, events = run(ActionAnswerFact(), intent="ask_brace", slots={"answered_facts": [fact.id]})
    assert SlotSet("answered_facts", [fact.id]) in events


def test_tell_more_continues_the_topic_under_discussion(content: Content) -> None:
    first, second = content.facts_in_topic("recovery")[:2]
    messages, events = run(
        ActionTellMore(),
        intent="ask_more",
        slots={"topic": "recovery", "answered_facts": [first.id]},
    )
    assert responses(messages) == [second.answer, "utter_provider_pointer"]
    assert SlotSet("answered_facts", [first.id, second.id]) in events


def test_tell_more_when_the_topic_is_covered(content: Content) -> None:
    all_mobility = [fact.id for fact in content.facts_in_topic("mobility")]
    messages, events = run(
        ActionTellMore(),
        intent="ask_more",
        slots={"topic": "mobility", "answered_facts": all_mobility},
    )
    assert responses(messages) == ["utter_topic_covered", "utter_provider_pointer", "utter_topics"]
    assert events == []


def test_tell_more_without_a_topic_offers_the_topics() -> None:
    messages, _ = run(ActionTellMore(), intent="ask_more")
    assert responses(messages) == ["utter_topics"]


def test_next_fact_in_topic_follows_file_order(content: Content) -> None:
    recovery = content.facts_in_topic("recovery")
    assert next_fact_in_topic(content, "recovery", []) == recovery[0]
    assert next_fact_in_topic(content, "recovery", [f.id for f in recovery]) is None
    assert next_fact_in_topic(content, None, []) is None
