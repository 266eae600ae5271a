"""SMS and WhatsApp through Twilio, with X-Twilio-Signature checked and replies sent as TwiML.

Webhook: /webhooks/twilio/webhook. Twilio signs each post with the account's auth token over
the URL it posted to and every form field, blank ones included; an unsigned post gets 403.
Behind a proxy that changes the URL, set webhook_url to the URL Twilio uses.

The replies go back in the webhook's own response (TwiML), not through Twilio's REST API as in
Rasa's connector: no outbound call, so an outage of Twilio's API cannot lose them, and Twilio
never posts the same message again after an error.
"""

import logging
from typing import Any
from urllib.parse import parse_qsl

from rasa.core.channels import twilio
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from extensions.channels.common import (
    MessagingInput,
    OnNewMessage,
    SplittingOutput,
    numbered_options,
    webhook_blueprint,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio's limit on a message body, SMS and WhatsApp alike (WhatsApp's own 4096 is not reachable).
MAX_BODY_CHARS = 1600
# A picture, voice note or location without words: there is nothing for the assistant to read.
NO_TEXT_REPLY = (
    "Sorry, I can only read text. Please write your question in words. If you think you have "
    "an emergency, call your emergency number now."
)


def signed_fields(body: bytes) -> dict[str, str]:
    """The form fields of Twilio's post as Twilio signed them: every one, blank ones included
    (Sanic's request.form drops them, and the signature then never matches).
    """
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))


class NumberedOptions(SplittingOutput):
    """SMS and WhatsApp show no buttons: the user answers the options' list with a number."""

    max_chars = MAX_BODY_CHARS

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, numbered_options(text, buttons))


class TwimlReply(NumberedOptions, CollectingOutputChannel):
    """The replies to one message, kept for the webhook's TwiML response."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    def twiml(self) -> str:
        """A <Message> per reply, with its picture if it has one."""
        twiml = MessagingResponse()
        for message in self.messages:
            reply = twiml.message(message.get("text", ""))
            if message.get("image"):
                reply.media(message["image"])
        return str(twiml)


class TwilioOutput(NumberedOptions, twilio.TwilioOutput):
    """Rasa's Twilio output through the REST API, for messages not in reply to a webhook post
    (Rasa's HTTP API), within Twilio's body limit, with the options as numbered lines.
    """


class TwilioInput(MessagingInput, twilio.TwilioInput):
    """Rasa's Twilio connector, refusing posts that Twilio did not sign, answering in TwiML."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            # Rasa's raise, typed NoReturn, but its class reaches mypy as Any: hence the return.
            return cls.raise_missing_credentials_exception()
        return cls(
            credentials["account_sid"],
            credentials["auth_token"],
            credentials["twilio_number"],
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

    def connector_blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = webhook_blueprint("twilio_webhook")

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            fields = signed_fields(request.body)
            sender, text = fields.get("From", ""), fields.get("Body", "").strip()
            reply = TwimlReply()
            if text:
                # Some carriers turn @ into ¡ in an SMS (as in Rasa's connector).
                text = text.replace("¡", "@")
                message = UserMessage(
                    text,
                    reply,
                    sender,
                    input_channel=self.name(),
                    metadata=self.get_metadata(request),
                )
                await on_new_message(message)
            else:
                logger.info("A Twilio message without text (%s media).", fields.get("NumMedia"))
                await reply.send_text_message(sender, NO_TEXT_REPLY)
            return response.text(reply.twiml(), content_type="application/xml")

        return webhook

    def answering(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """The replies go in the webhook's response: nothing to send later."""
        return on_new_message

    def get_output_channel(self) -> TwilioOutput:
        return TwilioOutput(self.account_sid, self.auth_token, self.twilio_number)

    def secrets(self) -> list[str]:
        return [self.auth_token]

    def is_authentic(self, request: Request) -> bool:
        return RequestValidator(self.auth_token).validate(
            self.webhook_url or request.url,
            signed_fields(request.body),
            request.headers.get(SIGNATURE_HEADER, ""),
        )
