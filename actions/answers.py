"""Actions that answer from the reviewed facts, always followed by the provider referral."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from core.facts import Content, Fact, load_content

# Loaded once when the action server starts: a broken file stops it there.
CONTENT = load_content()

# Intents answered with a fact that needs a word first: no decision, no diagnosis.
INTENT_LEAD_INS = {"ask_personal_advice": "utter_no_personal_advice"}

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


def say_fact(dispatcher: CollectingDispatcher, fact: Fact, answered: list[str]) -> list[EventType]:
    """Utter the fact verbatim and the referral; remember the topic for follow-ups."""
    dispatcher.utter_message(text=fact.answer)
    dispatcher.utter_message(response="utter_provider_pointer")
    answered_now = [*answered, fact.id] if fact.id not in answered else answered
    return [SlotSet("topic", fact.topic), SlotSet("answered_facts", answered_now)]


def answered_facts(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot("answered_facts") or [])


class ActionAnswerFact(Action):
    """Answers a fact intent with the fact that the facts file maps to it."""

    def name(self) -> str:
        return "action_answer_fact"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        entities = tracker.latest_message.get("entities") or []
        # Another operation never gets a spinal-fusion fact, whatever the intent.
        other_operation = first_value(entities, "other_operation")
        if other_operation:
            dispatcher.utter_message(response="utter_only_spinal_fusion", subject=other_operation)
            dispatcher.utter_message(response="utter_topics")
            return []
        fact = CONTENT.fact_for_intent(intent)
        if fact is None:
            dispatcher.utter_message(response="utter_cannot_answer")
            dispatcher.utter_message(response="utter_topics")
            return []
        acknowledgement = lead_in(intent, entities)
        if acknowledgement:
            response, variables = acknowledgement
            dispatcher.utter_message(response=response, **variables)
        return say_fact(dispatcher, fact, answered_facts(tracker))


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
        return say_fact(dispatcher, fact, answered)
