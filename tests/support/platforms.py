"""The platforms' side of each channel: their APIs, stood up as HTTPS servers on loopback that
record what the user would receive, and their webhook posts, shaped and signed as Telegram, Meta,
Twilio and Slack send them.

The connectors' own clients (aiogram, slack-sdk, aiohttp for Messenger, twilio) call the
platforms' real host names; for this test process those names resolve to the stand-ins, and a
throw-away CA that signed the stand-ins' certificate is the one trusted. Any other name does not
resolve: nothing leaves 127.0.0.0/8. A stand-in that is down refuses connections, as an outage
does; a hanging one takes calls and answers none.
"""

import base64
import datetime
import hashlib
import hmac
import json
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from twilio.request_validator import RequestValidator

from evaluation.support.running_assistant import free_port

# What an operator would export; none of it is a real credential. Optional variables are
# blank so that the machine's own environment cannot change the tests.
CHANNEL_ENV = {
    "TELEGRAM_ACCESS_TOKEN": "123456789:test-telegram-token",
    "TELEGRAM_VERIFY": "spine_fusion_test_bot",
    "TELEGRAM_WEBHOOK_URL": "https://assistant.example.org/webhooks/telegram/webhook",
    "TELEGRAM_SECRET_TOKEN": "",
    "FACEBOOK_VERIFY": "test-verify-token",
    "FACEBOOK_SECRET": "test-app-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "test-page-access-token",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "test-auth-token",
    "TWILIO_NUMBER": "+15005550006",
    "TWILIO_WEBHOOK_URL": "https://assistant.example.org/webhooks/twilio/webhook",
    "SLACK_TOKEN": "xoxb-test-token",
    "SLACK_SIGNING_SECRET": "test-signing-secret",
    "SLACK_CHANNEL": "",
}

# Each platform's API host names, as its client calls them.
PLATFORM_HOSTS = {
    "telegram": ("api.telegram.org",),
    "facebook": ("graph.facebook.com",),
    "twilio": ("api.twilio.com",),
    "slack": ("slack.com", "www.slack.com"),
}
LOOPBACK_NAMES = {None, "localhost", "::1"}

# A platform API's answer: status and JSON body.
Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class Sent:
    """One message as the user would see it: its text, its buttons as (title, payload) and,
    on Telegram, how many buttons each row of the keyboard holds.
    """

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    rows: tuple[int, ...] = ()


def throwaway_ca(directory: Path, hosts: list[str]) -> tuple[Path, Path, Path]:
    """A new CA, and a certificate it signed for the hosts: (CA file, certificate, key)."""
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject: str, key: Any, issuer: str, signer: Any) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        certificate("Throw-away test CA", ca_key, "Throw-away test CA", ca_key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        certificate("platform stand-ins", key, "Throw-away test CA", ca_key)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host) for host in hosts]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "stand-ins.pem", directory / "stand-ins.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class StandIn:
    """One platform's API: an HTTPS server (HTTP without a context) on a loopback port that stays
    the same when it is brought down and up again. `answer(path, query, fields, headers)`
    answers a call.
    """

    def __init__(self, context: ssl.SSLContext | None, answer: Callable[..., Answer]) -> None:
        self.context = context
        self.answer = answer
        self.port = free_port()
        self.server: ThreadingHTTPServer | None = None
        self.calls = 0
        # Cleared while the API hangs (PlatformAPIs.hanging).
        self.answering = threading.Event()
        self.answering.set()

    @property
    def is_up(self) -> bool:
        return self.server is not None

    def up(self) -> None:
        if self.server:
            return
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stand_in.calls += 1
                if not stand_in.answering.is_set():
                    # A call to a hanging API is never answered: the connection closes unanswered
                    # when the hang ends, or when the client stops waiting.
                    stand_in.answering.wait()
                    return
                status, payload = stand_in.answer(
                    url.path,
                    dict(urllib.parse.parse_qsl(url.query)),
                    fields(self.headers, body),
                    self.headers,
                )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                """Quiet: the test reports what matters."""

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        if self.context:
            self.server.socket = self.context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Refuses connections from now on, as an unreachable platform does."""
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def fields(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """A call's parameters, JSON or form-encoded, as the platforms' APIs accept them."""
    if headers.get("Content-Type", "").startswith("application/json"):
        return json.loads(body or b"{}")
    return dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))


class PlatformAPIs:
    """Telegram's, Messenger's, Twilio's and Slack's APIs, each a StandIn that checks the
    channel's credentials as the platform does, keeping the messages the connectors send.
    """

    def __init__(self, env: Mapping[str, str], workdir: Path) -> None:
        self.env = env
        self.sent: dict[tuple[str, str], list[Sent]] = defaultdict(list)
        self.telegram_webhooks: list[dict[str, str]] = []
        hosts = [host for names in PLATFORM_HOSTS.values() for host in names]
        self.ca, certificate, key = throwaway_ca(workdir, hosts)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certificate, key)
        self.stand_ins = {
            "telegram": StandIn(context, self.telegram),
            "facebook": StandIn(context, self.messenger),
            "twilio": StandIn(context, self.twilio),
            "slack": StandIn(context, self.slack),
        }
        self.ports = {
            host: self.stand_ins[platform].port
            for platform, names in PLATFORM_HOSTS.items()
            for host in names
        }

    @contextmanager
    def reachable(self) -> Iterator["PlatformAPIs"]:
        """The platforms' names resolve to their stand-ins, whose CA is the one trusted; every
        other name but loopback's fails to resolve.
        """
        resolve = socket.getaddrinfo

        def stand_in_address(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else host
            if name in self.ports:
                return resolve("127.0.0.1", self.ports[name], *args, **kwargs)
            if name in LOOPBACK_NAMES or str(name).startswith("127."):
                return resolve(host, port, *args, **kwargs)
            raise socket.gaierror(socket.EAI_NONAME, f"{name}: tests reach only loopback")

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(socket, "getaddrinfo", stand_in_address)
            # requests (twilio), aiohttp (slack-sdk), aiogram and Messenger's client find their
            # CAs here.
            patch.setenv("REQUESTS_CA_BUNDLE", str(self.ca))
            patch.setenv("SSL_CERT_FILE", str(self.ca))
            patch.setattr(certifi, "where", lambda: str(self.ca))
            yield self

    def up(self, *platforms: str) -> None:
        for platform in platforms or self.stand_ins:
            self.stand_ins[platform].up()

    def down(self, *platforms: str) -> None:
        for platform in platforms or self.stand_ins:
            self.stand_ins[platform].down()

    @contextmanager
    def hanging(self, platform: str) -> Iterator[StandIn]:
        """The platform's API takes calls and answers none of them, as a slow API does rather
        than a down one, until the block ends.
        """
        stand_in = self.stand_ins[platform]
        stand_in.answering.clear()
        try:
            yield stand_in
        finally:
            stand_in.answering.set()

    def messages(self, channel: str, recipient: str) -> list[Sent]:
        return list(self.sent[channel, recipient])

    def keep(
        self,
        channel: str,
        recipient: Any,
        text: str,
        buttons: list[tuple[str, str]] = (),
        rows: tuple[int, ...] = (),
    ) -> None:
        self.sent[channel, str(recipient)].append(Sent(text, tuple(buttons), rows))

    def telegram(self, path: str, query: dict, call: dict, headers: Any) -> Answer:
        """Bot API: /bot<token>/<method>; an unknown token gets 401, as from Telegram."""
        token, _, method = path.removeprefix("/bot").partition("/")
        if token != self.env["TELEGRAM_ACCESS_TOKEN"]:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if method == "getMe":
            username = self.env["TELEGRAM_VERIFY"]
            bot = {"id": 1, "is_bot": True, "first_name": "Spine", "username": username}
            return 200, {"ok": True, "result": bot}
        if method == "setWebhook":
            self.telegram_webhooks.append(call)
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        keyboard = json.loads(call.get("reply_markup", "{}")).get("inline_keyboard", [])
        buttons = [(button["text"], button["callback_data"]) for row in keyboard for button in row]
        rows = tuple(len(row) for row in keyboard)
        self.keep("telegram", call["chat_id"], call["text"], buttons, rows)
        chat = {"id": int(call["chat_id"]), "type": "private"}
        message = {"message_id": 1, "date": int(time.time()), "chat": chat, "text": call["text"]}
        return 200, {"ok": True, "result": message}

    def messenger(self, path: str, query: dict, call: dict, headers: Any) -> Answer:
        """Send API: /v<version>/me/messages?access_token=<page token>."""
        if query.get("access_token") != self.env["FACEBOOK_PAGE_ACCESS_TOKEN"]:
            error = {"message": "Invalid OAuth access token.", "type": "OAuthException"}
            return 400, {"error": {**error, "code": 190}}
        recipient = call["recipient"]["id"]
        if "message" in call:
            replies = call["message"].get("quick_replies", [])
            buttons = [(reply["title"], reply["payload"]) for reply in replies]
            self.keep("facebook", recipient, call["message"]["text"], buttons)
        return 200, {"recipient_id": recipient, "message_id": f"m_{uuid.uuid4().hex}"}

    def twilio(self, path: str, query: dict, call: dict, headers: Any) -> Answer:
        """REST API: /2010-04-01/Accounts/<sid>/Messages.json, with HTTP basic auth."""
        sid, token = self.env["TWILIO_ACCOUNT_SID"], self.env["TWILIO_AUTH_TOKEN"]
        basic = "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()
        if headers.get("Authorization") != basic:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        self.keep("twilio", call["To"], call["Body"])
        return 201, {"sid": f"SM{uuid.uuid4().hex}", "status": "queued", **call}

    def slack(self, path: str, query: dict, call: dict, headers: Any) -> Answer:
        """Web API: /api/chat.postMessage with the bot token as a bearer token."""
        if headers.get("Authorization") != f"Bearer {self.env['SLACK_TOKEN']}":
            return 200, {"ok": False, "error": "invalid_auth"}
        buttons = [
            (element["text"]["text"], element["value"])
            for block in call.get("blocks", [])
            if block["type"] == "actions"
            for element in block["elements"]
        ]
        self.keep("slack", call["channel"], call["text"], buttons)
        return 200, {"ok": True, "channel": call["channel"], "ts": f"{time.time():.6f}"}


def post(url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
    """The status and body of one webhook post, whatever the status is."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


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
    """Updates as the Bot API documents them (core.telegram.org/bots/api#update)."""

    name = "telegram"

    def update(self, content: dict[str, Any], signature: str) -> int:
        # Telegram sends back the secret token the connector gave setWebhook.
        secret = {
            "valid": self.apis.telegram_webhooks[-1]["secret_token"],
            "bad": "not-the-secret",
        }
        headers = {"Content-Type": "application/json"}
        if signature in secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret[signature]
        update = {"update_id": uuid.uuid4().int % 10**9, **content}
        return post(self.webhook, json.dumps(update).encode(), headers)[0]

    def person(self, user: str) -> dict[str, Any]:
        return {
            "id": int(user),
            "is_bot": False,
            "first_name": "Pat",
            "last_name": "Doe",
            "username": f"pat{user}",
            "language_code": "en",
        }

    def say(self, user: str, text: str, signature: str = "valid") -> int:
        person = self.person(user)
        chat = {key: person[key] for key in ("id", "first_name", "last_name", "username")}
        message = {
            "message_id": uuid.uuid4().int % 10**6,
            "from": person,
            "chat": {**chat, "type": "private"},
            "date": int(time.time()),
            "text": text,
        }
        return self.update({"message": message}, signature)

    def click(self, user: str, title: str, payload: str) -> int:
        bot = {
            "id": 1,
            "is_bot": True,
            "first_name": "Spine",
            "username": self.env["TELEGRAM_VERIFY"],
        }
        keyboard = {"inline_keyboard": [[{"text": title, "callback_data": payload}]]}
        bot_message = {
            "message_id": uuid.uuid4().int % 10**6,
            "from": bot,
            "chat": {"id": int(user), "first_name": "Pat", "type": "private"},
            "date": int(time.time()),
            "text": "I can answer questions on these topics:",
            "reply_markup": keyboard,
        }
        query = {
            "id": str(uuid.uuid4().int % 10**18),
            "from": self.person(user),
            "message": bot_message,
            "chat_instance": str(uuid.uuid4().int % 10**18),
            "data": payload,
        }
        return self.update({"callback_query": query}, "valid")


class MessengerClient(ChannelClient):
    """Page webhook events as Meta documents them (messages, messaging_postbacks)."""

    name = "facebook"

    def event(self, user: str, content: dict[str, Any], signature: str) -> int:
        now = int(time.time() * 1000)
        page = "PAGE_ID_1234"
        messaging = {"sender": {"id": user}, "recipient": {"id": page}, "timestamp": now, **content}
        body = json.dumps(
            {"object": "page", "entry": [{"id": page, "time": now, "messaging": [messaging]}]}
        ).encode()
        secret = {"valid": self.env["FACEBOOK_SECRET"], "bad": "not-the-app-secret"}
        headers = {"Content-Type": "application/json"}
        if signature in secret:
            headers["X-Hub-Signature"] = "sha1=" + hmac_hex(secret[signature], body, hashlib.sha1)
            headers["X-Hub-Signature-256"] = "sha256=" + hmac_hex(secret[signature], body)
        return post(self.webhook, body, headers)[0]

    def say(self, user: str, text: str, signature: str = "valid") -> int:
        message = {"mid": f"m_{uuid.uuid4().hex}", "text": text}
        return self.event(user, {"message": message}, signature)

    def click(self, user: str, title: str, payload: str) -> int:
        message = {
            "mid": f"m_{uuid.uuid4().hex}",
            "text": title,
            "quick_reply": {"payload": payload},
        }
        return self.event(user, {"message": message}, "valid")

    def postback(self, user: str, title: str, payload: str) -> int:
        """A tap on a button of a template, or on "Get Started"."""
        postback = {"mid": f"m_{uuid.uuid4().hex}", "title": title, "payload": payload}
        return self.event(user, {"postback": postback}, "valid")


# Twilio's documented webhook parameters of an incoming message; Twilio sends them all, blank
# when it has no value (www.twilio.com/docs/messaging/guides/webhook-request).
SMS_FIELDS = {
    "ToCountry": "US",
    "ToState": "CA",
    "SmsMessageSid": "",
    "NumMedia": "0",
    "ToCity": "",
    "FromZip": "",
    "SmsSid": "",
    "FromState": "",
    "SmsStatus": "received",
    "FromCity": "",
    "Body": "",
    "FromCountry": "US",
    "To": "",
    "MessagingServiceSid": "",
    "ToZip": "",
    "NumSegments": "1",
    "MessageSid": "",
    "AccountSid": "",
    "From": "",
    "ApiVersion": "2010-04-01",
}
WHATSAPP_FIELDS = {
    "SmsMessageSid": "",
    "NumMedia": "0",
    "ProfileName": "Pat",
    "MessageType": "text",
    "SmsSid": "",
    "WaId": "",
    "SmsStatus": "received",
    "Body": "",
    "To": "",
    "NumSegments": "1",
    "ReferralNumMedia": "0",
    "MessageSid": "",
    "AccountSid": "",
    "From": "",
    "ApiVersion": "2010-04-01",
}


class TwilioClient(ChannelClient):
    """SMS by default; WhatsApp users' numbers start with "whatsapp:". The replies come in the
    webhook's TwiML response, and are kept as Twilio would send them.
    """

    name = "twilio"

    def __init__(self, *args: Any, prefix: str = "") -> None:
        super().__init__(*args)
        self.prefix = prefix

    def new_user(self) -> str:
        return f"{self.prefix}+1555{uuid.uuid4().int % 10**7:07d}"

    def form(self, user: str, text: str) -> dict[str, str]:
        sid = f"SM{uuid.uuid4().hex}"
        form = {
            **(WHATSAPP_FIELDS if self.prefix else SMS_FIELDS),
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "MessageSid": sid,
            "AccountSid": self.env["TWILIO_ACCOUNT_SID"],
            "From": user,
            "To": f"{self.prefix}{self.env['TWILIO_NUMBER']}",
            "Body": text,
        }
        if self.prefix:
            form["WaId"] = user.removeprefix("whatsapp:+")
        return form

    def send(self, user: str, form: dict[str, str], signature: str = "valid") -> int:
        # Twilio signs the URL it was given, whatever the proxy in front of Rasa makes of it.
        secret = {"valid": self.env["TWILIO_AUTH_TOKEN"], "bad": "not-the-auth-token"}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature in secret:
            validator = RequestValidator(secret[signature])
            headers["X-Twilio-Signature"] = validator.compute_signature(
                self.env["TWILIO_WEBHOOK_URL"], form
            )
        status, body = post(self.webhook, urllib.parse.urlencode(form).encode(), headers)
        if status == 200:
            for message in ElementTree.fromstring(body).iter("Message"):
                self.apis.keep(self.name, user, message.text or "")
        return status

    def say(self, user: str, text: str, signature: str = "valid") -> int:
        return self.send(user, self.form(user, text), signature)

    def picture(self, user: str) -> int:
        """A photo with no words, as a WhatsApp or MMS user may send."""
        account = self.env["TWILIO_ACCOUNT_SID"]
        media = f"https://api.twilio.com/2010-04-01/Accounts/{account}/Messages/MM1/Media/ME1"
        form = {
            **self.form(user, ""),
            "NumMedia": "1",
            "MediaContentType0": "image/jpeg",
            "MediaUrl0": media,
        }
        return self.send(user, form)


class SlackClient(ChannelClient):
    """Events API and interactivity posts as Slack documents them."""

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
        return post(self.webhook, body, headers)[0]

    def say(self, user: str, text: str, signature: str = "valid") -> int:
        ts = f"{time.time():.6f}"
        rich_text = {
            "type": "rich_text",
            "block_id": uuid.uuid4().hex[:5],
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
        event = {
            "client_msg_id": str(uuid.uuid4()),
            "type": "message",
            "text": text,
            "user": user,
            "ts": ts,
            "blocks": [rich_text],
            "team": "T0001",
            "channel": self.recipient(user),
            "event_ts": ts,
            "channel_type": "im",
        }
        envelope = {
            "token": "verification-token-unused",
            "team_id": "T0001",
            "context_team_id": "T0001",
            "context_enterprise_id": None,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": "T0001",
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{uuid.uuid4().hex}",
        }
        return self.signed_post(json.dumps(envelope).encode(), "application/json", signature)

    def click(self, user: str, title: str, payload: str) -> int:
        ts = f"{time.time():.6f}"
        action = {
            "type": "button",
            "block_id": uuid.uuid4().hex[:5],
            "action_id": uuid.uuid4().hex[:5],
            "text": {"type": "plain_text", "text": title, "emoji": True},
            "value": payload,
            "action_ts": ts,
        }
        channel = self.recipient(user)
        interaction = {
            "type": "block_actions",
            "user": {"id": user, "username": "pat", "name": "pat", "team_id": "T0001"},
            "api_app_id": "A0001",
            "token": "verification-token-unused",
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": f"1.{uuid.uuid4().int % 10**12}",
            "team": {"id": "T0001", "domain": "example-clinic"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "directmessage"},
            "message": {"type": "message", "user": "UBOT", "ts": ts, "text": "Topics"},
            "state": {"values": {}},
            "response_url": "https://hooks.slack.com/actions/T0001/1/abc",
            "actions": [action],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(interaction)}).encode()
        return self.signed_post(body, "application/x-www-form-urlencoded", "valid")


def wait_for(condition: Callable[[], Any], timeout: float = 60, what: str = "it") -> Any:
    """Polls until the condition holds, and returns its value; fails after the timeout."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.2)
    return value
