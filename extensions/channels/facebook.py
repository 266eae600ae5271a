"""Facebook Messenger through Rasa's connector, with X-Hub-Signature-256 checked and quick replies.

Webhook: /webhooks/facebook/webhook. Meta signs each post with the app secret, in
X-Hub-Signature-256 (SHA-256) and X-Hub-Signature (SHA-1). Rasa's connector checks only the
SHA-1 one and answers 200 when it fails; here a post without a valid SHA-256 signature gets 403.
Rasa's also calls the Graph API ("mark_seen") before handling a message, so with Facebook down
the message was lost; here nothing is sent to Facebook until the conversation is stored.
Replies go through aiohttp: Rasa's fbmessenger client blocks, so while the Graph API was slow
every channel of the server waited with it.
"""

import asyncio
import hashlib
import hmac
import ssl
from asyncio import AbstractEventLoop
from functools import cached_property
from typing import Any

import aiohttp
import certifi
from rasa.core.channels import facebook
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
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
# The Send API as Rasa's fbmessenger 6.0 called it.
SEND_API_URL = "https://graph.facebook.com/v2.12/me/messages"
# A slow Graph API holds up one reply for at most this long; common.deliver then retries.
SEND_TIMEOUT_SECONDS = 10


class GraphAPIError(Exception):
    """The Graph API refused a message, or gave no answer; the text says which and why."""


def hub_signature_valid(app_secret: str, body: bytes, header: str) -> bool:
    """Whether the header is "sha256=" and the HMAC-SHA256 of the body with the app secret."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return same_secret(header, f"sha256={digest}")


class SendAPI:
    """Messenger's Send API for one page, through one aiohttp session made on first use (it
    belongs to the event loop running then) and trusting certifi's CAs, as requests did.
    """

    def __init__(self, page_access_token: str) -> None:
        self.page_access_token = page_access_token
        self.session: aiohttp.ClientSession | None = None

    async def send(self, recipient_id: str, message: Any) -> None:
        """Sends one message, raising GraphAPIError with Facebook's reason if it is refused and
        on no answer within SEND_TIMEOUT_SECONDS.
        """
        if self.session is None or self.session.closed:
            context = ssl.create_default_context(cafile=certifi.where())
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))
        body = {
            "messaging_type": "RESPONSE",
            "notification_type": "REGULAR",
            "recipient": {"id": recipient_id},
            "message": message,
        }
        try:
            async with self.session.post(
                SEND_API_URL,
                params={"access_token": self.page_access_token},
                json=body,
                timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_SECONDS),
            ) as reply:
                result = await reply.json(content_type=None)
        except asyncio.TimeoutError as error:
            raise GraphAPIError(f"no answer within {SEND_TIMEOUT_SECONDS} s") from error
        if "error" in result:
            raise GraphAPIError(result["error"].get("message", result["error"]))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


class GraphOutput(OutputChannel):
    """Rasa's Messenger output, each message one Send API call awaited on the event loop."""

    @classmethod
    def name(cls) -> str:
        return "facebook"

    def __init__(self, send_api: SendAPI) -> None:
        super().__init__()
        self.send_api = send_api

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_api.send(recipient_id, {"text": text})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        attachment = {"type": "image", "payload": {"url": image}}
        await self.send_api.send(recipient_id, {"attachment": attachment})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """A message in Messenger's own format, e.g. a template, as Rasa's sends it."""
        await self.send_api.send(recipient_id, json_message)


class MessengerBot(SplittingOutput, GraphOutput):
    """Messenger's output within Messenger's limits, with buttons as quick replies (Rasa's
    drops the buttons of a message that has more than three).
    """

    max_chars = MAX_OUTGOING_CHARS

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
        await self.send_api.send(recipient_id, {"text": last, "quick_replies": quick_replies})


class Messenger(facebook.Messenger):
    """Rasa's parser of Meta's posts, handing each message to Rasa before any call to Facebook."""

    def __init__(self, send_api: SendAPI, on_new_message: OnNewMessage) -> None:
        """Without Rasa's blocking fbmessenger client: replies go through send_api."""
        self.send_api = send_api
        self.on_new_message = on_new_message
        self.last_message: dict[str, Any] = {}

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
        output = MessengerBot(self.send_api)
        await self.on_new_message(
            UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata)
        )


class FacebookInput(MessagingInput, facebook.FacebookInput):
    """Rasa's Messenger connector, refusing posts that Meta did not sign."""

    def connector_blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's routes, with our Messenger handling the posts."""
        webhook = webhook_blueprint("fb_webhook")
        webhook.listener("after_server_stop")(self.close_send_api)

        @webhook.route("/webhook", methods=["GET"])
        async def verification(request: Request) -> HTTPResponse:
            """Meta's subscription check: the challenge back, for the verify token we chose."""
            if same_secret(request.args.get("hub.verify_token", ""), self.fb_verify):
                return response.text(request.args.get("hub.challenge", ""))
            return response.text("failure, invalid token", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            messenger = Messenger(self.send_api, on_new_message)
            await messenger.handle(request.json, self.get_metadata(request))
            return response.text("success")

        return webhook

    @cached_property
    def send_api(self) -> SendAPI:
        return SendAPI(self.fb_access_token)

    def get_output_channel(self) -> MessengerBot:
        return MessengerBot(self.send_api)

    async def close_send_api(self, app: Sanic, _: AbstractEventLoop) -> None:
        await self.send_api.close()

    def secrets(self) -> list[str]:
        return [self.fb_secret, self.fb_access_token, self.fb_verify]

    def is_authentic(self, request: Request) -> bool:
        return hub_signature_valid(
            self.fb_secret, request.body, request.headers.get(SIGNATURE_HEADER, "")
        )
