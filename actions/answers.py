"""Actions that answer from the reviewed facts, always followed by the provider referral."""

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ask_for_feedback
from core.facts import Content, Fact, load_content
from core.questions import QUESTIONS_KEY

logger = logging.getLogger(__name__)

# Loaded once when the action server starts: a broken file stops it there, an overdue review
# is logged.
CONTENT = load_content()
CONTENT.warn_overdue(logger)

# Intents answered with a fact that needs a word first: no decision, no diagnosis.
INTENT_LEAD_INS = {"ask_personal_advice": "utter_no_personal_advice"}

# More facts than this in one reply would bury each of them.
MAX_FACTS_PER_MESSAGE = 3

# FallbackClassifier's intent, whose confidence in the ranking is its threshold.
FALLBACK_INTENT = "nlu_fallback"
# Two intents of different topics that share this much confidence between them are both
# answered: the classifiers know it is one of the two, not which.
COMPETING_SHARE = 0.8

# Entity types that earn a lead-in, most specific first, with the response that says it. The
# first three name something the reviewed facts don't cover specifically (flying, a hospital
# stay, "6 weeks"), which the reply must say before any general fact.
LEAD_IN_RESPONSES = (
    ("activity", "utter_lead_in_not_covered"),
    ("detail", "utter_lead_in_not_covered"),
    ("duration", "utter_lead_in_not_covered"),
    ("spine_region", "utter_lead_in_spine_region"),
)


def first_value(entities: list[dict[str, Any]], entity_type: str) -> str | None:
    """The text of the first entity of that type, if the message has one."""
    values = [e.get("value") for e in entities if e.get("entity") == entity_type]
    return next((str(value) for value in values if value), None)


def lead_in(
    intent: str | None, entities: list[dict[str, Any]]
) -> tuple[str, dict[str, str]] | None:
    """The response that acknowledges what the user asked or named, and its variables, if any."""
    if intent in INTENT_LEAD_INS:
        return INTENT_LEAD_INS[intent], {}
    for entity_type, response in LEAD_IN_RESPONSES:
        subject = first_value(entities, entity_type)
        if subject:
            return response, {"subject": subject}
    return None


def next_fact_in_topic(content: Content, topic: str | None, answered: list[str]) -> Fact | None:
    """The first fact of the topic that the conversation has not been given yet."""
    return next((f for f in content.facts_in_topic(topic) if f.id not in answered), None)


def competing_intents(content: Content, ranking: list[dict[str, Any]]) -> list[str]:
    """The intents to answer when the classifiers hesitated between two that have facts: the
    likelier one if both facts share a topic ("do I need it?", "should I have it?") and the two
    together clear the fallback threshold; both, likelier first, if their topics differ and
    they leave COMPETING_SHARE to nobody else. Else none, and the message stays unanswered.
    """
    threshold = next((i["confidence"] for i in ranking if i["name"] == FALLBACK_INTENT), None)
    top = [i for i in ranking if i["name"] != FALLBACK_INTENT][:2]
    if threshold is None or len(top) < 2:
        return []
    first, second = (content.fact_for_intent(i["name"]) for i in top)
    if first is None or second is None:
        return []
    together = top[0]["confidence"] + top[1]["confidence"]
    if first.topic == second.topic:
        return [top[0]["name"]] if together >= threshold else []
    return [top[0]["name"], top[1]["name"]] if together >= COMPETING_SHARE else []


def facts_asked(content: Content, questions: list[dict[str, Any]] | None) -> list[Fact]:
    """The distinct facts that a message's questions ask for, in the order asked, at most
    MAX_FACTS_PER_MESSAGE; questions no fact answers are skipped.
    """
    facts: list[Fact] = []
    for question in questions or []:
        fact = content.fact_for_intent(question.get("intent"))
        if fact is not None and fact not in facts:
            facts.append(fact)
    return facts[:MAX_FACTS_PER_MESSAGE]


def say_facts(
    dispatcher: CollectingDispatcher, tracker: Tracker, facts: list[Fact], answered: list[str]
) -> list[EventType]:
    """Utter each fact verbatim, the referral once, and "Was this helpful?" with buttons for
    each fact; remember the last topic for follow-ups and every fact given. Each fact's id and
    the version of its text go into its stored message's metadata: what exactly was said.
    """
    for fact in facts:
        dispatcher.utter_message(text=fact.answer, fact_id=fact.id, content_version=fact.version)
    dispatcher.utter_message(response="utter_provider_pointer")
    ask_for_feedback(dispatcher, tracker, facts)
    answered_now = [*answered, *(fact.id for fact in facts if fact.id not in answered)]
    return [SlotSet("topic", facts[-1].topic), SlotSet("answered_facts", answered_now)]


def answered_facts(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot("answered_facts") or [])


class ActionAnswerFact(Action):
    """Answers a fact intent with the fact that the facts file maps to it."""

    def name(self) -> str:
        return "action_answer_fact"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent: str | None = (tracker.latest_message.get("intent") or {}).get("name")
        intents: list[str | None] = [intent]
        if intent == FALLBACK_INTENT:
            ranking = tracker.latest_message.get("intent_ranking") or []
            intents = [*competing_intents(CONTENT, ranking)] or intents
            intent = intents[0]
        entities = tracker.latest_message.get("entities") or []
        # Another operation never gets a spinal-fusion fact, whatever the intent.
        other_operation = first_value(entities, "other_operation")
        if other_operation:
            dispatcher.utter_message(response="utter_only_spinal_fusion", subject=other_operation)
            dispatcher.utter_message(response="utter_topics")
            return []
        # Two or more questions, each with a fact: each answered, in the order asked, even
        # when the classifiers could not choose between them for the message as a whole.
        facts = facts_asked(CONTENT, tracker.latest_message.get(QUESTIONS_KEY))
        if len(facts) < 2:
            facts = facts_asked(CONTENT, [{"intent": name} for name in intents])
        if not facts:
            dispatcher.utter_message(response="utter_cannot_answer")
            dispatcher.utter_message(response="utter_topics")
            return []
        acknowledgement = lead_in(intent, entities)
        if acknowledgement:
            response, variables = acknowledgement
            dispatcher.utter_message(response=response, **variables)
        return say_facts(dispatcher, tracker, facts, answered_facts(tracker))


class ActionTellMore(Action):
    """Answers "tell me more" from the topic under discussion, never from a new one."""

    def name(self) -> str:
        return "action_tell_more"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        topic = tracker.get_slot("topic")
        if topic is None:
            dispatcher.utter_message(response="utter_topics")
            return []
        answered = answered_facts(tracker)
        fact = next_fact_in_topic(CONTENT, topic, answered)
        if fact is None:
            dispatcher.utter_message(response="utter_topic_covered")
            dispatcher.utter_message(response="utter_provider_pointer")
            dispatcher.utter_message(response="utter_topics")
            return []
        return say_facts(dispatcher, tracker, [fact], answered)
