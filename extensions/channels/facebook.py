"""Facebook Messenger through Rasa's connector, with X-Hub-Signature-256 checked and quick replies.

Webhook: /webhooks/facebook/webhook. Meta signs each post with the app secret, in
X-Hub-Signature-256 (SHA-256) and X-Hub-Signature (SHA-1). Rasa's connector checks only the
SHA-1 one and answers 200 when it fails; here a post without a valid SHA-256 signature gets 403.
Rasa's also calls the Graph API ("mark_seen") before handling a message, so with Facebook down
the message was lost; here nothing is sent to Facebook until the conversation is stored.
"""

import hashlib
import hmac
from typing import Any

from fbmessenger import MessengerClient
from rasa.core.channels import facebook
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from extensions.channels.common import (
    MessagingInput,
    OnNewMessage,
    SplittingOutput,
    numbered_options,
    same_secret,
    webhook_blueprint,
)

SIGNATURE_HEADER = "X-Hub-Signature-256"
# The longest message Messenger delivers; longer replies are split.
MAX_OUTGOING_CHARS = 2000
MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE_CHARS = 20
# fbmessenger waits for ever by default, and its calls block the server's event loop.
SEND_TIMEOUT_SECONDS = 10


class GraphAPIError(Exception):
    """The Graph API refused a message; the text is Facebook's own explanation."""


def hub_signature_valid(app_secret: str, body: bytes, header: str) -> bool:
    """Whether the header is "sha256=" and the HMAC-SHA256 of the body with the app secret."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return same_secret(header, f"sha256={digest}")


class MessengerBot(SplittingOutput, facebook.MessengerBot):
    """Rasa's Messenger output, within Messenger's limits, with buttons as quick replies, and
    raising when Facebook refuses a message (fbmessenger returns the error as data).

    Rasa's own drops the buttons of a message that has more than three.
    """

    max_chars = MAX_OUTGOING_CHARS

    def send(self, recipient_id: str, element: Any) -> None:
        self.post(element.to_dict(), recipient_id)

    def post(self, payload: dict[str, Any], recipient_id: str) -> None:
        """Sends one message, raising GraphAPIError with Facebook's reason if it is refused."""
        result = self.messenger_client.send(
            payload, recipient_id, "RESPONSE", timeout=SEND_TIMEOUT_SECONDS
        )
        if "error" in result:
            raise GraphAPIError(result["error"].get("message", result["error"]))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Quick replies with the titles, or, when a title is too long for one, with numbers."""
        offered = buttons[:MAX_QUICK_REPLIES]
        titles = [button["title"] for button in offered]
        if any(len(title) > MAX_QUICK_REPLY_TITLE_CHARS for title in titles):
            text = numbered_options(text, offered)
            titles = [str(number) for number in range(1, len(offered) + 1)]
        last = await self.send_leading_parts(recipient_id, text)
        quick_replies = [
            {"content_type": "text", "title": title, "payload": button["payload"]}
            for title, button in zip(titles, offered, strict=True)
        ]
        self.post({"text": last, "quick_replies": quick_replies}, recipient_id)


class Messenger(facebook.Messenger):
    """Rasa's parser of Meta's posts, handing each message to Rasa before any call to Facebook."""

    async def handle(self, payload: dict[str, Any], metadata: dict[str, Any] | None) -> None:
        """Every event of the post: Meta batches several, and Rasa's handles only the first."""
        for entry in payload.get("entry", []):
            for event in entry.get("messaging", []):
                self.last_message = event
                if event.get("message"):
                    await self.message(event, metadata)
                elif event.get("postback"):
                    await self.postback(event, metadata)

    async def _handle_user_message(
        self, text: str, sender_id: str, metadata: dict[str, Any] | None
    ) -> None:
        """No "mark_seen" or typing indicator first: with the Graph API down they raised, and
        the message never reached Rasa.
        """
        output = MessengerBot(self.client)
        await self.on_new_message(
            UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)
        )


class FacebookInput(MessagingInput, facebook.FacebookInput):
    """Rasa's Messenger connector, refusing posts that Meta did not sign."""

    def connector_blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's routes, with our Messenger handling the posts."""
        webhook = webhook_blueprint("fb_webhook")

        @webhook.route("/webhook", methods=["GET"])
        async def verification(request: Request) -> HTTPResponse:
            """Meta's subscription check: the challenge back, for the verify token we chose."""
            if same_secret(request.args.get("hub.verify_token", ""), self.fb_verify):
                return response.text(request.args.get("hub.challenge", ""))
            return response.text("failure, invalid token", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            messenger = Messenger(self.fb_access_token, on_new_message)
            await messenger.handle(request.json, self.get_metadata(request))
            return response.text("success")

        return webhook

    def get_output_channel(self) -> MessengerBot:
        return MessengerBot(MessengerClient(self.fb_access_token))

    def secrets(self) -> list[str]:
        return [self.fb_secret, self.fb_access_token, self.fb_verify]

    def is_authentic(self, request: Request) -> bool:
        return hub_signature_valid(
            self.fb_secret, request.body, request.headers.get(SIGNATURE_HEADER, "")
        )
