"""The platforms' side of each channel: their APIs, answered in-process, recording what the user
would receive, and their webhook posts, shaped and signed as Telegram, Meta, Twilio and Slack send
them.

aiogram and slack-sdk call out through aiohttp (intercepted with aioresponses), fbmessenger and
twilio through requests (intercepted with responses). Only 127.0.0.1 is let through: nothing
reaches the internet.
"""

import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import responses
from aioresponses import CallbackResult, aioresponses
from requests import PreparedRequest
from twilio.request_validator import RequestValidator


@dataclass(frozen=True)
class Sent:
    """One message as the user would see it: its text, its buttons as (title, payload) and,
    on Telegram, how many buttons each row of the keyboard holds.
    """

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    rows: tuple[int, ...] = ()


class PlatformAPIs:
    """Answers every call the connectors make to the platforms, keeping the messages they send."""

    def __init__(self, telegram_username: str) -> None:
        self.telegram_username = telegram_username
        self.sent: dict[tuple[str, str], list[Sent]] = defaultdict(list)
        self.telegram_webhooks: list[dict[str, str]] = []
        self.aiohttp = aioresponses(passthrough=["http://127.0.0.1"])
        self.requests = responses.RequestsMock(assert_all_requests_are_fired=False)

    def __enter__(self) -> "PlatformAPIs":
        self.aiohttp.start()
        self.requests.start()
        telegram_api = r"^https://api\.telegram\.org/bot[^/]+/"
        self.aiohttp.post(
            re.compile(telegram_api + "sendMessage$"), callback=self.telegram_send, repeat=True
        )
        self.aiohttp.post(
            re.compile(telegram_api + "getMe$"), callback=self.telegram_me, repeat=True
        )
        self.aiohttp.post(
            re.compile(telegram_api + "setWebhook$"), callback=self.telegram_webhook, repeat=True
        )
        self.aiohttp.post(
            "https://slack.com/api/chat.postMessage", callback=self.slack_post, repeat=True
        )
        self.requests.add_callback(
            responses.POST,
            re.compile(r"^https://graph\.facebook\.com/v[\d.]+/me/messages"),
            callback=self.messenger_send,
        )
        self.requests.add_callback(
            responses.POST,
            re.compile(r"^https://api\.twilio\.com/2010-04-01/Accounts/\w+/Messages\.json$"),
            callback=self.twilio_create,
        )
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.requests.stop()
        self.aiohttp.stop()

    def messages(self, channel: str, recipient: str) -> list[Sent]:
        return list(self.sent[channel, recipient])

    def keep(
        self,
        channel: str,
        recipient: Any,
        text: str,
        buttons: list[tuple[str, str]],
        rows: tuple[int, ...] = (),
    ) -> None:
        self.sent[channel, str(recipient)].append(Sent(text, tuple(buttons), rows))

    def telegram_send(self, url: Any, data: Any, **kwargs: Any) -> CallbackResult:
        # aiogram posts a FormData; its fields are (options, headers, value).
        fields = {options["name"]: value for options, _, value in data._fields}
        keyboard = json.loads(fields.get("reply_markup", "{}")).get("inline_keyboard", [])
        buttons = [(button["text"], button["callback_data"]) for row in keyboard for button in row]
        rows = tuple(len(row) for row in keyboard)
        self.keep("telegram", fields["chat_id"], fields["text"], buttons, rows)
        chat = {"id": int(fields["chat_id"]), "type": "private"}
        message = {"message_id": 1, "date": int(time.time()), "chat": chat, "text": fields["text"]}
        return CallbackResult(payload={"ok": True, "result": message})

    def telegram_me(self, url: Any, **kwargs: Any) -> CallbackResult:
        bot = {"id": 1, "is_bot": True, "first_name": "Spine", "username": self.telegram_username}
        return CallbackResult(payload={"ok": True, "result": bot})

    def telegram_webhook(self, url: Any, data: Any, **kwargs: Any) -> CallbackResult:
        self.telegram_webhooks.append(
            {options["name"]: value for options, _, value in data._fields}
        )
        return CallbackResult(payload={"ok": True, "result": True})

    def slack_post(self, url: Any, json: dict[str, Any], **kwargs: Any) -> CallbackResult:
        buttons = [
            (element["text"]["text"], element["value"])
            for block in json.get("blocks", [])
            if block["type"] == "actions"
            for element in block["elements"]
        ]
        self.keep("slack", json["channel"], json["text"], buttons)
        return CallbackResult(payload={"ok": True, "channel": json["channel"], "ts": "1.0"})

    def messenger_send(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        recipient = body["recipient"]["id"]
        if "message" in body:
            replies = body["message"].get("quick_replies", [])
            buttons = [(reply["title"], reply["payload"]) for reply in replies]
            self.keep("facebook", recipient, body["message"]["text"], buttons)
        return 200, {}, json.dumps({"recipient_id": recipient, "message_id": "m_1"})

    def twilio_create(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        form = dict(urllib.parse.parse_qsl(request.body))
        self.keep("twilio", form["To"], form["Body"], [])
        message = {"sid": f"SM{uuid.uuid4().hex}", "status": "queued", **form}
        return 201, {}, json.dumps(message)


def post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
    """The status of one webhook post, whatever it is."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def hmac_hex(secret: str, body: bytes, digest: Callable[..., Any] = hashlib.sha256) -> str:
    return hmac.new(secret.encode(), body, digest).hexdigest()


class ChannelClient:
    """One platform posting its users' messages to the channel's webhook, as that platform does.

    `signature` is "valid", "bad" (made with another secret) or "missing".
    """

    name: str

    def __init__(self, server_url: str, env: Mapping[str, str], apis: PlatformAPIs) -> None:
        self.webhook = f"{server_url}/webhooks/{self.name}/webhook"
        self.env = env
        self.apis = apis

    def new_user(self) -> str:
        return str(uuid.uuid4().int % 10**12)

    def recipient(self, user: str) -> str:
        """The id the connector sends the user's replies to."""
        return user

    def received(self, user: str) -> list[Sent]:
        return self.apis.messages(self.name, self.recipient(user))

    def say(self, user: str, text: str, signature: str = "valid") -> int:
        raise NotImplementedError

    def click(self, user: str, title: str, payload: str) -> int:
        """The user taps a button the bot showed."""
        raise NotImplementedError


class TelegramClient(ChannelClient):
    name = "telegram"

    def update(self, user: str, content: dict[str, Any], signature: str) -> int:
        # Telegram sends back the secret token the connector gave setWebhook.
        secret = {
            "valid": self.apis.telegram_webhooks[-1]["secret_token"],
            "bad": "not-the-secret",
        }
        headers = {"Content-Type": "application/json"}
        if signature in secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret[signature]
        update = {"update_id": uuid.uuid4().int % 10**9, **content}
        return post(self.webhook, json.dumps(update).encode(), headers)

    def message(self, user: str, text: str) -> dict[str, Any]:
        person = {"id": int(user), "is_bot": False, "first_name": "Pat"}
        chat = {"id": int(user), "type": "private", "first_name": "Pat"}
        return {
            "message_id": 1,
            "date": int(time.time()),
            "chat": chat,
            "from": person,
            "text": text,
        }

    def say(self, user: str, text: str, signature: str = "valid") -> int:
        return self.update(user, {"message": self.message(user, text)}, signature)

    def click(self, user: str, title: str, payload: str) -> int:
        bot_message = self.message(user, "I can answer questions on these topics:")
        query = {
            "id": str(uuid.uuid4().int % 10**9),
            "from": bot_message["from"],
            "chat_instance": user,
            "message": bot_message,
            "data": payload,
        }
        return self.update(user, {"callback_query": query}, "valid")


class MessengerClient(ChannelClient):
    name = "facebook"

    def event(self, user: str, message: dict[str, Any], signature: str) -> int:
        now = int(time.time() * 1000)
        messaging = {
            "sender": {"id": user},
            "recipient": {"id": "PAGE"},
            "timestamp": now,
            "message": {"mid": f"m_{uuid.uuid4().hex}", **message},
        }
        body = json.dumps(
            {"object": "page", "entry": [{"id": "PAGE", "time": now, "messaging": [messaging]}]}
        ).encode()
        secret = {"valid": self.env["FACEBOOK_SECRET"], "bad": "not-the-app-secret"}
        headers = {"Content-Type": "application/json"}
        if signature in secret:
            headers["X-Hub-Signature"] = "sha1=" + hmac_hex(secret[signature], body, hashlib.sha1)
            headers["X-Hub-Signature-256"] = "sha256=" + hmac_hex(secret[signature], body)
        return post(self.webhook, body, headers)

    def say(self, user: str, text: str, signature: str = "valid") -> int:
        return self.event(user, {"text": text}, signature)

    def click(self, user: str, title: str, payload: str) -> int:
        return self.event(user, {"text": title, "quick_reply": {"payload": payload}}, "valid")


class TwilioClient(ChannelClient):
    """SMS by default; WhatsApp users' numbers start with "whatsapp:"."""

    name = "twilio"

    def __init__(self, *args: Any, prefix: str = "") -> None:
        super().__init__(*args)
        self.prefix = prefix

    def new_user(self) -> str:
        return f"{self.prefix}+1555{uuid.uuid4().int % 10**7:07d}"

    def say(self, user: str, text: str, signature: str = "valid") -> int:
        form = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": self.env["TWILIO_ACCOUNT_SID"],
            "From": user,
            "To": f"{self.prefix}{self.env['TWILIO_NUMBER']}",
            "Body": text,
            "NumMedia": "0",
        }
        # Twilio signs the URL it was given, whatever the proxy in front of Rasa makes of it.
        secret = {"valid": self.env["TWILIO_AUTH_TOKEN"], "bad": "not-the-auth-token"}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature in secret:
            validator = RequestValidator(secret[signature])
            headers["X-Twilio-Signature"] = validator.compute_signature(
                self.env["TWILIO_WEBHOOK_URL"], form
            )
        return post(self.webhook, urllib.parse.urlencode(form).encode(), headers)


class SlackClient(ChannelClient):
    name = "slack"

    def new_user(self) -> str:
        return f"U{uuid.uuid4().hex[:10].upper()}"

    def recipient(self, user: str) -> str:
        """Replies go to the direct-message channel the user wrote in."""
        return f"D{user[1:]}"

    def signed_post(self, body: bytes, content_type: str, signature: str) -> int:
        timestamp = str(int(time.time()))
        secret = {"valid": self.env["SLACK_SIGNING_SECRET"], "bad": "not-the-signing-secret"}
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp}
        if signature in secret:
            base = f"v0:{timestamp}:".encode() + body
            headers["X-Slack-Signature"] = "v0=" + hmac_hex(secret[signature], base)
        return post(self.webhook, body, headers)

    def say(self, user: str, text: str, signature: str = "valid") -> int:
        event = {
            "type": "message",
            "channel": self.recipient(user),
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        }
        envelope = {
            "token": "unused",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"user_id": "UBOT", "is_bot": True}],
        }
        return self.signed_post(json.dumps(envelope).encode(), "application/json", signature)

    def click(self, user: str, title: str, payload: str) -> int:
        action = {
            "type": "button",
            "action_id": uuid.uuid4().hex[:5],
            "block_id": "topics",
            "text": {"type": "plain_text", "text": title},
            "value": payload,
            "action_ts": f"{time.time():.6f}",
        }
        interaction = {
            "type": "block_actions",
            "user": {"id": user},
            "channel": {"id": self.recipient(user)},
            "message": {"ts": f"{time.time():.6f}"},
            "actions": [action],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(interaction)}).encode()
        return self.signed_post(body, "application/x-www-form-urlencoded", "valid")
