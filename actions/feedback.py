"""Asks "Was this helpful?" after the facts of a reply, and answers the patient's verdict.

The verdict arrives as a button payload, /feedback{"fact":"<fact id>","helpful":true}, which
Rasa parses without the NLU classifier; no training example exists, so typed text never becomes
feedback. The event stays in the tracker store, where ops/report.py counts it.
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from core.facts import Fact
from core.feedback import feedback_payload

# SMS and WhatsApp show buttons as numbered options, and a reply of "1" picks the latest buttons
# of the conversation: feedback buttons there would turn a topic choice into a verdict.
CHANNELS_WITHOUT_BUTTONS = {"twilio"}


def feedback_buttons(fact_id: str, subject: str | None = None) -> list[dict[str, str]]:
    """Yes and No for one fact; titled with its subject ("The brace: yes") when they share a
    question with other facts' buttons, so that each says which answer it rates.
    """
    yes, no = ("Yes", "No") if subject is None else (f"{subject}: yes", f"{subject}: no")
    return [
        {"title": yes, "payload": feedback_payload(fact_id, True)},
        {"title": no, "payload": feedback_payload(fact_id, False)},
    ]


def offers_buttons(tracker: Tracker) -> bool:
    return tracker.get_latest_input_channel() not in CHANNELS_WITHOUT_BUTTONS


def ask_for_feedback(dispatcher: CollectingDispatcher, tracker: Tracker, facts: list[Fact]) -> None:
    """Ask "Was this helpful?" with Yes / No buttons, where the channel has buttons. After
    several facts, one question, with Yes and No for each fact named by its subject: the widget
    and Messenger show only the latest message's buttons, and a question per fact, alike for
    facts of one topic, left a patient guessing which buttons rated which answer.
    """
    if not offers_buttons(tracker):
        return
    if len(facts) == 1:
        dispatcher.utter_message(
            response="utter_ask_feedback", buttons=feedback_buttons(facts[0].id)
        )
        return
    buttons = [button for fact in facts for button in feedback_buttons(fact.id, fact.subject)]
    dispatcher.utter_message(response="utter_ask_feedback_on_answers", buttons=buttons)


class ActionFeedback(Action):
    """Thanks for a "Yes"; a "No" gets the provider, as no other fact would serve better."""

    def name(self) -> str:
        return "action_feedback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        helpful = next(tracker.get_latest_entity_values("helpful"), None)
        if helpful is False:
            dispatcher.utter_message(response="utter_feedback_not_helpful")
        else:
            dispatcher.utter_message(response="utter_feedback_thanks")
        return []
