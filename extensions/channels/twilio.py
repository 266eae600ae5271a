"""SMS and WhatsApp through Rasa's Twilio connector, with X-Twilio-Signature checked.

Webhook: /webhooks/twilio/webhook. Twilio signs each post with the account's auth token over
the URL it posted to and the form fields; Rasa's connector checks nothing, here an unsigned
post gets 403. Behind a proxy that changes the URL, set webhook_url to the URL Twilio uses.
"""

from typing import Any

from rasa.core.channels import twilio
from rasa.core.channels.channel import InputChannel
from sanic.request import Request
from twilio.request_validator import RequestValidator

from extensions.channels.common import MessagingInput, SplittingOutput, numbered_options

SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio's limit on a message body, SMS and WhatsApp alike (WhatsApp's own 4096 is not reachable).
MAX_BODY_CHARS = 1600


class TwilioOutput(SplittingOutput, twilio.TwilioOutput):
    """Rasa's Twilio output, within Twilio's body limit, with the options as numbered lines."""

    max_chars = MAX_BODY_CHARS

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """SMS and WhatsApp show no buttons: the user answers the options' list with a number."""
        await self.send_text_message(recipient_id, numbered_options(text, buttons))


class TwilioInput(MessagingInput, twilio.TwilioInput):
    """Rasa's Twilio connector, refusing posts that Twilio did not sign."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("account_sid"),
            credentials.get("auth_token"),
            credentials.get("twilio_number"),
            webhook_url=credentials.get("webhook_url"),
        )

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        twilio_number: str,
        webhook_url: str | None = None,
        debug_mode: bool = True,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode)
        self.webhook_url = webhook_url

    def get_output_channel(self) -> TwilioOutput:
        return TwilioOutput(self.account_sid, self.auth_token, self.twilio_number)

    def is_authentic(self, request: Request) -> bool:
        return RequestValidator(self.auth_token).validate(
            self.webhook_url or request.url,
            request.form,
            request.headers.get(SIGNATURE_HEADER, ""),
        )
