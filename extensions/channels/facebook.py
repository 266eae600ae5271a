"""Facebook Messenger through Rasa's connector, with X-Hub-Signature-256 checked and quick replies.

Webhook: /webhooks/facebook/webhook. Meta signs each post with the app secret, in
X-Hub-Signature-256 (SHA-256) and X-Hub-Signature (SHA-1). Rasa's connector checks only the
SHA-1 one and answers 200 when it fails; here a post without a valid SHA-256 signature gets 403.
"""

import hashlib
import hmac
from typing import Any

from fbmessenger import MessengerClient
from rasa.core.channels import facebook
from rasa.core.channels.channel import UserMessage
from sanic.request import Request

from extensions.channels.common import (
    MessagingInput,
    OnNewMessage,
    SplittingOutput,
    numbered_options,
    same_secret,
)

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_MESSAGE_CHARS = 2000
MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE_CHARS = 20


def hub_signature_valid(app_secret: str, body: bytes, header: str) -> bool:
    """Whether the header is "sha256=" and the HMAC-SHA256 of the body with the app secret."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return same_secret(header, f"sha256={digest}")


class MessengerBot(SplittingOutput, facebook.MessengerBot):
    """Rasa's Messenger output, within Messenger's limits, with buttons as quick replies.

    Rasa's own drops the buttons of a message that has more than three.
    """

    max_chars = MAX_MESSAGE_CHARS

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
        self.messenger_client.send(
            {"text": last, "quick_replies": quick_replies}, recipient_id, "RESPONSE"
        )


class FacebookInput(MessagingInput, facebook.FacebookInput):
    """Rasa's Messenger connector, refusing posts that Meta did not sign."""

    def before_rasa(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """Answers through our MessengerBot: Rasa's connector builds its own for each message."""

        async def handle(message: UserMessage) -> None:
            message.output_channel = MessengerBot(message.output_channel.messenger_client)
            await on_new_message(message)

        return handle

    def get_output_channel(self) -> MessengerBot:
        return MessengerBot(MessengerClient(self.fb_access_token))

    def is_authentic(self, request: Request) -> bool:
        return hub_signature_valid(
            self.fb_secret, request.body, request.headers.get(SIGNATURE_HEADER, "")
        )
