"""How a patient's confirmed "delete my conversation" reaches the tracker store.

The action server cannot reach the store, so its action sets ERASE_SLOT; the Rasa server's store
(extensions/dialogue/tracker_store.py), saving the turn, then deletes every event of the sender
instead, this turn's included.
"""

ERASE_SLOT = "erase_conversation"
# The request itself: kept even when it shares its message with a red flag (RedFlagPolicy).
REQUEST_INTENT = "delete_conversation"
# The question that must come right before the yes, and the intent of that yes.
CONFIRMATION_RESPONSE = "utter_ask_delete_conversation"
CONFIRM_INTENT = "affirm"
# The custom payload that tells the widget to forget its copy of the conversation.
DELETED_FLAG = "conversation_deleted"
