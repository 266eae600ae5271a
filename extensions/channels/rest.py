"""Rasa's REST channel, refusing bad requests before Rasa reads them.

A stock REST webhook raised inside Rasa on a missing or non-string message, and one 100 KB
message once exhausted a Rasa server's memory; here both get a 4xx and never reach NLU.
"""

from typing import Any

from rasa.core.channels.channel import InputChannel
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from extensions.channels.common import OnNewMessage, guard_messages
from extensions.channels.message_limits import BadMessage, parse_body, validate_user_message
from extensions.channels.rate_limits import limiter_from_environment, refuse_flood


class CheckedRestInput(RestInput):
    """POST /webhooks/rest/webhook as Rasa's, with the widget's limits (docs/widget.md) and
    rate limits (`rate_limits:` in credentials.yml, extensions/channels/rate_limits.py).
    """

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls((credentials or {}).get("rate_limits"))

    def __init__(self, rate_limits: dict[str, Any] | None = None) -> None:
        self.limiter = limiter_from_environment(rate_limits)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = super().blueprint(guard_messages(on_new_message))
        webhook.middleware("request")(self.refuse_bad_or_flooding)
        return webhook

    async def refuse_bad_or_flooding(self, request: Request) -> HTTPResponse | None:
        """A 4xx with {"error": reason} for a post that is not a well-formed message or is
        over a rate limit; None lets Rasa handle it.
        """
        if request.method != "POST":
            return None
        try:
            sender, text = validate_user_message(parse_body(request.body))
        except BadMessage as error:
            return response.json({"error": error.reason}, status=error.status)
        return refuse_flood(self.limiter, request, sender, text)

    def _extract_input_channel(self, request: Request) -> str:
        """Always "rest": a client may not pass its messages off as another channel's."""
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = request.json.get("metadata")
        return metadata if isinstance(metadata, dict) else None
