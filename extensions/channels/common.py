"""What every messaging channel shares: length limits, numbered options, refusals, signatures,
and replies that outlive a platform outage.
"""

import asyncio
import hmac
import logging
import re
from asyncio import AbstractEventLoop
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from rasa.shared.core.events import BotUttered, Event
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core import redaction
from core.feedback import is_feedback
from extensions.channels.message_limits import MAX_MESSAGE_CHARS
from extensions.channels.rate_limits import limit_messages, limiter_from_environment

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# No number: the emergency numbers are the operator's, in data/facts.yml.
UNAVAILABLE_REPLY = (
    "Sorry, I can't answer right now. Please try again in a few minutes. If you think you "
    "have an emergency, call your emergency number now."
)
TOO_LONG_REPLY = (
    "Sorry, that message is too long for me. Please ask your question in fewer than "
    f"{MAX_MESSAGE_CHARS} characters. If you think you have an emergency, call your "
    "emergency number now."
)
NUMBERED_OPTIONS_HINT = "Reply with a number, or ask in your own words."
# Seconds to wait before each new attempt to send a reply the platform did not take: seven
# attempts over about a minute, enough for a brief outage, bounded so that replies do not pile up.
DELIVERY_RETRY_DELAYS = (1, 2, 4, 8, 16, 32)

# The end of a line, or of a sentence: . ! ? or … (not after a digit, so that "1. " of a
# numbered option is no end), closing quotes or brackets, then a space.
SENTENCE_OR_LINE_END = re.compile(r"\n|(?<!\d)[.!?…][\"')\]]*\s")
WORD_END = re.compile(r"\s")


def split_message(text: str, max_chars: int) -> list[str]:
    """The text as messages of at most max_chars: a message per paragraph, cut between sentences
    when a paragraph is too long (a curated answer is never cut mid-sentence if a sentence fits).
    """
    parts = []
    for paragraph in text.strip().split("\n\n"):
        rest = paragraph.strip()
        while len(rest) > max_chars:
            cut = cut_position(rest, max_chars)
            parts.append(rest[:cut].rstrip())
            rest = rest[cut:].lstrip()
        if rest:
            parts.append(rest)
    return parts


def cut_position(text: str, max_chars: int) -> int:
    """Where to cut a too-long text: after the last line or sentence that fits, else a word."""
    # One character more: a space right after the limit still ends a part that fits.
    window = text[: max_chars + 1]
    for boundary in (SENTENCE_OR_LINE_END, WORD_END):
        ends = [match.end() for match in boundary.finditer(window)]
        if ends:
            return ends[-1]
    return max_chars


def numbered_options(text: str, buttons: list[dict[str, Any]]) -> str:
    """The text, one "1. Title" line per button and how to choose, for a channel without buttons."""
    options = [f"{number}. {button['title']}" for number, button in enumerate(buttons, start=1)]
    return "\n".join([text.strip(), *options, NUMBERED_OPTIONS_HINT])


def chosen_payload(reply: str, buttons: list[dict[str, Any]]) -> str | None:
    """The payload of the option whose number is the whole reply, e.g. "2"; else None."""
    choice = reply.strip()
    if choice.isdecimal() and 1 <= int(choice) <= len(buttons):
        return buttons[int(choice) - 1].get("payload")
    return None


def last_offered_buttons(events: Iterable[Event]) -> list[dict[str, Any]]:
    """The buttons of the latest bot message that had any: the options the user saw last.

    "Was this helpful?" is skipped: it is answered with a tap, and a number typed after a fact
    still means one of the numbered topics above it.
    """
    for event in reversed(list(events)):
        buttons = event.data.get("buttons") if isinstance(event, BotUttered) else None
        if buttons and not all(is_feedback(button.get("payload", "")) for button in buttons):
            return buttons
    return []


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison; as bytes, since a header may hold any character."""
    return hmac.compare_digest(given.encode(), expected.encode())


def webhook_blueprint(name: str) -> Blueprint:
    """A connector's blueprint with Rasa's health check at its root, GET / -> {"status": "ok"}."""
    webhook = Blueprint(name, __name__)

    @webhook.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    return webhook


def guard_messages(on_new_message: OnNewMessage) -> OnNewMessage:
    """Refuses a message over MAX_MESSAGE_CHARS before NLU, and answers politely when
    handling fails (tracker or lock store unreachable) instead of leaving the user in silence.

    A 100 KB message once exhausted a stock Rasa server's memory.
    """

    async def handle(message: UserMessage) -> None:
        if len(message.text or "") > MAX_MESSAGE_CHARS:
            logger.info(
                "Refused a %d-character message on %s.", len(message.text), message.input_channel
            )
            await message.output_channel.send_text_message(message.sender_id, TOO_LONG_REPLY)
            return
        try:
            await on_new_message(message)
        except Exception as error:
            logger.error(
                "Could not handle a message on %s: %s: %s",
                message.input_channel,
                type(error).__name__,
                error,
            )
            await message.output_channel.send_text_message(message.sender_id, UNAVAILABLE_REPLY)

    return handle


class Outbox(CollectingOutputChannel):
    """Keeps the replies while Rasa handles a message, under the channel's own name (so that
    channel-specific responses still apply), for sending once the conversation is stored.
    """

    def __init__(self, channel: str) -> None:
        super().__init__()
        self.channel = channel

    def name(self) -> str:
        return self.channel


async def send_kept(output: OutputChannel, message: dict[str, Any]) -> None:
    """Sends one reply an Outbox kept, through the platform's output."""
    reply = dict(message)
    await output.send_response(reply.pop("recipient_id"), reply)


async def deliver(
    output: OutputChannel,
    messages: Sequence[dict[str, Any]],
    retry_delays: Sequence[float] = DELIVERY_RETRY_DELAYS,
) -> None:
    """Sends the replies in order, retrying from the first one the platform did not take after
    each delay, then giving up. Each failure is logged as the platform's own error.
    """
    pending = list(messages)
    for attempt, delay in enumerate([*retry_delays, None], start=1):
        try:
            while pending:
                await send_kept(output, pending[0])
                pending.pop(0)
            return
        except Exception as error:
            retry = f"trying again in {delay} s" if delay is not None else "giving up"
            logger.error(
                "The %s platform did not take a reply (attempt %d, %d replies left, %s): %s: %s",
                output.name(),
                attempt,
                len(pending),
                retry,
                type(error).__name__,
                error,
            )
        if delay is not None:
            await asyncio.sleep(delay)


class SplittingOutput(OutputChannel):
    """Sends a text longer than the channel allows as several messages, cut between sentences."""

    max_chars: int

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_message(text, self.max_chars):
            await super().send_text_message(recipient_id, part, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        last = await self.send_leading_parts(recipient_id, text)
        await super().send_text_with_buttons(recipient_id, last, buttons, **kwargs)

    async def send_leading_parts(self, recipient_id: str, text: str) -> str:
        """Sends every part of the text but the last, and returns the last, to go with buttons."""
        *leading, last = split_message(text, self.max_chars) or [""]
        for part in leading:
            await self.send_text_message(recipient_id, part)
        return last


class MessagingInput(InputChannel):
    """What our messaging connectors add to Rasa's, around its own webhook route.

    Unsigned posts get 403 before the connector reads them; over-long messages get a
    refusal; a sender over the rate limit gets at most a polite reply a minute (set from the
    environment, extensions/channels/rate_limits.py); a reply that is just the number of an
    option the bot offered selects it; the conversation is stored before any reply goes to the
    platform, which may be down.
    """

    app: Sanic | None = None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        redaction.hide(self.secrets())
        self.deliveries: set[asyncio.Task] = set()
        handle = self.answering(
            limit_messages(
                limiter_from_environment(),
                guard_messages(self.choosing_by_number(on_new_message)),
            )
        )
        webhook = self.connector_blueprint(handle)
        webhook.middleware("request")(self.refuse_unsigned)
        webhook.listener("before_server_start")(self.remember_app)
        return webhook

    def connector_blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The routes of Rasa's connector, calling on_new_message for each user message."""
        return super().blueprint(on_new_message)

    def secrets(self) -> list[str]:
        """The channel's credentials that no log line may show."""
        raise NotImplementedError

    def is_authentic(self, request: Request) -> bool:
        """Whether the platform signed this webhook post."""
        raise NotImplementedError

    def answering(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """Lets Rasa handle and store the message with its replies kept in an Outbox, then sends
        them in the background, so the webhook is answered at once and a platform outage loses
        nothing: the platform sees success and does not post the same message again.
        """

        async def handle(message: UserMessage) -> None:
            output = message.output_channel
            outbox = Outbox(output.name())
            message.output_channel = outbox
            await on_new_message(message)
            delivery = asyncio.create_task(deliver(output, outbox.messages))
            self.deliveries.add(delivery)
            delivery.add_done_callback(self.deliveries.discard)

        return handle

    async def refuse_unsigned(self, request: Request) -> HTTPResponse | None:
        if (
            request.method == "POST"
            and request.path.rstrip("/").endswith("/webhook")
            and not self.is_authentic(request)
        ):
            logger.warning("Refused a %s webhook post without a valid signature.", self.name())
            return response.text("invalid signature", status=403)
        return None

    async def remember_app(self, app: Sanic, _: AbstractEventLoop) -> None:
        """The server's app: its agent keeps the conversations, and the options they offered."""
        self.app = app

    def choosing_by_number(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """Replaces a reply of "2" with the payload of the second option the bot last offered.

        The options come from the conversation's tracker, so any replica can resolve them.
        """

        async def handle(message: UserMessage) -> None:
            if message.text and message.text.isdecimal() and self.app is not None:
                tracker = await self.app.ctx.agent.tracker_store.retrieve(message.sender_id)
                offered = last_offered_buttons(tracker.events if tracker else [])
                message.text = chosen_payload(message.text, offered) or message.text
            await on_new_message(message)

        return handle
