"""Rasa's REST channel, refusing bad requests before Rasa reads them.

A stock REST webhook raised inside Rasa on a missing or non-string message, and one 100 KB
message once exhausted a Rasa server's memory; here both get a 4xx and never reach NLU.
"""

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from extensions.channels.common import OnNewMessage, guard_messages
from extensions.message_limits import BadMessage, parse_body, validate_user_message


class CheckedRestInput(RestInput):
    """POST /webhooks/rest/webhook as Rasa's, with the widget's limits (README, "Limits")."""

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = super().blueprint(guard_messages(on_new_message))
        webhook.middleware("request")(refuse_bad_message)
        return webhook

    def _extract_input_channel(self, request: Request) -> str:
        """Always "rest": a client may not pass its messages off as another channel's."""
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = request.json.get("metadata")
        return metadata if isinstance(metadata, dict) else None


async def refuse_bad_message(request: Request) -> HTTPResponse | None:
    """A 4xx with {"error": reason} for a post that is not a well-formed message."""
    if request.method != "POST":
        return None
    try:
        validate_user_message(parse_body(request.body))
    except BadMessage as error:
        return response.json({"error": error.reason}, status=error.status)
    return None
