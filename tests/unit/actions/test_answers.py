"""The fact-answering actions: verbatim facts, the referral, lead-ins and follow-ups in context."""

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import (
    ActionAnswerFact,
    ActionTellMore,
    first_value,
    lead_in,
    next_fact_in_topic,
)
from core.facts import Content
from tests.support.trackers import make_tracker


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


@pytest.mark.parametrize(
    ("intent", "entity_type", "value"),
    [
        ("ask_mobility", "activity", "golf"),
        ("ask_mobility", "activity", "fly"),
        ("ask_recovery_time", "detail", "days in hospital"),
        ("ask_mobility", "detail", "metal detectors"),
        ("ask_recovery_time", "duration", "6 weeks"),
    ],
)
def test_a_specific_gets_a_does_not_cover_lead_in_before_the_general_fact(
    content: Content, intent: str, entity_type: str, value: str
) -> None:
    entities = [{"entity": entity_type, "value": value}]
    messages, _ = run(ActionAnswerFact(), intent=intent, entities=entities)
    assert messages[0]["response"] == "utter_lead_in_not_covered"
    assert messages[0]["subject"] == value
    assert responses(messages)[1:] == [
        content.fact_for_intent(intent).answer,
        "utter_provider_pointer",
    ]


def test_lead_in_prefers_activity_then_detail_then_duration_then_spine_region() -> None:
    region = {"entity": "spine_region", "value": "L4-L5"}
    activity = {"entity": "activity", "value": "running"}
    detail = {"entity": "detail", "value": "screws"}
    duration = {"entity": "duration", "value": "a week"}
    intent = "ask_mobility"
    not_covered = "utter_lead_in_not_covered"
    assert lead_in(intent, [region, duration, detail, activity]) == (
        not_covered,
        {"subject": "running"},
    )
    assert lead_in(intent, [region, duration, detail]) == (not_covered, {"subject": "screws"})
    assert lead_in(intent, [region, duration]) == (not_covered, {"subject": "a week"})
    assert lead_in(intent, [region]) == ("utter_lead_in_spine_region", {"subject": "L4-L5"})
    assert lead_in(intent, [{"entity": "treatment", "value": "brace"}]) is None
    assert lead_in(intent, []) is None


def test_first_value_skips_other_types_and_empty_values() -> None:
    entities = [
        {"entity": "activity", "value": "golf"},
        {"entity": "other_operation", "value": ""},
        {"entity": "other_operation", "value": "hip replacement"},
    ]
    assert first_value(entities, "other_operation") == "hip replacement"
    assert first_value(entities, "duration") is None


@pytest.mark.parametrize(
    "intent", ["ask_recovery_time", "ask_mobility", "ask_personal_advice", "out_of_scope"]
)
def test_another_operation_gets_only_spinal_fusion_and_never_a_fact(intent: str) -> None:
    entities = [
        {"entity": "other_operation", "value": "hip replacement"},
        {"entity": "activity", "value": "golf"},
    ]
    messages, events = run(ActionAnswerFact(), intent=intent, entities=entities)
    assert responses(messages) == ["utter_only_spinal_fusion", "utter_topics"]
    assert messages[0]["subject"] == "hip replacement"
    assert events == []


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
