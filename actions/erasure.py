"""Deletes a patient's conversation when they ask and then confirm it.

The question comes from the rules (utter_ask_delete_conversation, with Yes / No buttons and
"reply YES" for SMS); this action runs on the yes. It checks the yes answered that question, says
so, and sets the slot on which the Rasa server's tracker store deletes every stored event of the
sender (core/erasure.py): the action server has no access to the store.
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from core.erasure import CONFIRM_INTENT, CONFIRMATION_RESPONSE, DELETED_FLAG, ERASE_SLOT

# The website widget keeps its own copy of the conversation in the browser: this flag tells it
# to forget that copy too (widget/widget.js). Other channels' platforms keep theirs.
CHANNELS_WITH_BROWSER_COPY = {"widget"}


def confirmed(tracker: Tracker) -> bool:
    """Whether the latest message is a yes and the assistant's last action before it was the
    question asking to confirm the deletion: a yes to anything else deletes nothing.
    """
    if (tracker.latest_message.get("intent") or {}).get("name") != CONFIRM_INTENT:
        return False
    events = tracker.events
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if not users:
        return False
    earlier_actions = [
        event.get("name")
        for event in events[: users[-1]]
        if event.get("event") == "action" and event.get("name") != "action_listen"
    ]
    return bool(earlier_actions) and earlier_actions[-1] == CONFIRMATION_RESPONSE


class ActionDeleteConversation(Action):
    """On a confirmed request, says the conversation is deleted and has the store delete it."""

    def name(self) -> str:
        return "action_delete_conversation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not confirmed(tracker):
            dispatcher.utter_message(response="utter_conversation_kept")
            return []
        dispatcher.utter_message(response="utter_conversation_deleted")
        if tracker.get_latest_input_channel() in CHANNELS_WITH_BROWSER_COPY:
            dispatcher.utter_message(json_message={DELETED_FLAG: True})
        return [SlotSet(ERASE_SLOT, True)]
