"""The fact-answering actions: verbatim facts, the referral, lead-ins and follow-ups in context."""

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import (
    ActionAnswerFact,
    ActionTellMore,
    competing_intents,
    facts_asked,
    first_value,
    lead_in,
    next_fact_in_topic,
)
from actions.feedback import feedback_buttons
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
    assert responses(messages) == [fact.answer, "utter_provider_pointer", "utter_ask_feedback"]
    assert messages[0]["fact_id"] == fact.id
    assert messages[0]["content_version"] == fact.version
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
        "utter_ask_feedback",
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
        "utter_ask_feedback",
    ]


def ranking(*intents: tuple[str, float]) -> list[dict[str, Any]]:
    """A ranking after FallbackClassifier, with its threshold of 0.5 as nlu_fallback's."""
    return [{"name": "nlu_fallback", "confidence": 0.5}] + [
        {"name": name, "confidence": confidence} for name, confidence in intents
    ]


@pytest.mark.parametrize(
    ("hesitation", "answered"),
    [
        (
            ranking(("ask_fusion_necessity", 0.31), ("ask_personal_advice", 0.29)),
            ["ask_fusion_necessity"],
        ),
        (ranking(("ask_alternatives", 0.4), ("ask_fusion_necessity", 0.35)), ["ask_alternatives"]),
        (ranking(("ask_fusion_necessity", 0.2), ("ask_alternatives", 0.2)), []),
        (
            ranking(("ask_mobility", 0.45), ("ask_recovery_time", 0.4)),
            ["ask_mobility", "ask_recovery_time"],
        ),
        (ranking(("ask_recovery_time", 0.4), ("ask_mobility", 0.3)), []),
        (ranking(("ask_fusion_necessity", 0.45), ("out_of_scope", 0.4)), []),
        (ranking(("ask_mobility", 0.45)), []),
        (
            [
                {"name": "ask_fusion_necessity", "confidence": 0.45},
                {"name": "ask_alternatives", "confidence": 0.4},
            ],
            [],
        ),
    ],
)
def test_a_hesitation_between_intents_with_facts_is_answered(
    content: Content, hesitation: list[dict[str, Any]], answered: list[str]
) -> None:
    assert competing_intents(content, hesitation) == answered


def test_fallback_between_two_topics_gets_both_facts_likelier_first(content: Content) -> None:
    messages, _ = run(
        ActionAnswerFact(),
        intent="nlu_fallback",
        intent_ranking=ranking(("ask_recovery_time", 0.44), ("ask_mobility", 0.43)),
    )
    assert responses(messages) == [
        content.fact_for_intent("ask_recovery_time").answer,
        content.fact_for_intent("ask_mobility").answer,
        "utter_provider_pointer",
        "utter_ask_feedback_on_answers",
    ]


def test_fallback_between_two_intents_of_one_topic_gets_that_topic(content: Content) -> None:
    messages, _ = run(
        ActionAnswerFact(),
        intent="nlu_fallback",
        intent_ranking=ranking(("ask_personal_advice", 0.3), ("ask_fusion_necessity", 0.28)),
    )
    assert responses(messages) == [
        "utter_no_personal_advice",
        content.fact_for_intent("ask_fusion_necessity").answer,
        "utter_provider_pointer",
        "utter_ask_feedback",
    ]


def asked(*intents: str) -> list[dict[str, Any]]:
    return [{"text": "a question", "intent": intent, "confidence": 0.9} for intent in intents]


@pytest.mark.parametrize("intent", ["nlu_fallback", "ask_mobility", "out_of_scope"])
def test_several_questions_get_each_fact_in_the_order_asked_then_one_referral(
    content: Content, intent: str
) -> None:
    questions = asked("ask_recovery_time", "ask_mobility")
    messages, events = run(ActionAnswerFact(), intent=intent, questions=questions)
    recovery, mobility = (content.fact_for_intent(q["intent"]) for q in questions)
    assert responses(messages) == [
        recovery.answer,
        mobility.answer,
        "utter_provider_pointer",
        "utter_ask_feedback_on_answers",
    ]
    assert messages[-1]["buttons"] == [
        *feedback_buttons(recovery.id, recovery.subject),
        *feedback_buttons(mobility.id, mobility.subject),
    ]
    assert SlotSet("answered_facts", [recovery.id, mobility.id]) in events
    assert SlotSet("topic", mobility.topic) in events


def test_facts_asked_are_distinct_answerable_and_at_most_three(content: Content) -> None:
    questions = asked(
        "ask_brace",
        "out_of_scope",
        "ask_brace",
        "ask_mobility",
        "ask_what_is_fusion",
        "ask_alternatives",
    )
    assert [fact.id for fact in facts_asked(content, questions)] == [
        content.fact_for_intent(intent).id
        for intent in ("ask_brace", "ask_mobility", "ask_what_is_fusion")
    ]


def test_one_answerable_question_of_several_leaves_the_message_intent_in_charge(
    content: Content,
) -> None:
    questions = asked("out_of_scope", "ask_mobility")
    messages, _ = run(ActionAnswerFact(), intent="out_of_scope", questions=questions)
    assert responses(messages) == ["utter_cannot_answer", "utter_topics"]


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
    assert responses(messages) == [second.answer, "utter_provider_pointer", "utter_ask_feedback"]
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
