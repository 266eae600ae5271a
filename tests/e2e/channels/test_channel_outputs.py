"""Each channel's output within the platform's limits, sending through the platforms' stand-ins."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from rasa.core.channels.channel import OutputChannel

from actions.feedback import feedback_buttons
from core.facts import Content
from extensions.channels.facebook import MessengerBot, SendAPI
from extensions.channels.slack import SlackBot
from extensions.channels.telegram import TelegramOutput
from extensions.channels.twilio import TwilioOutput
from tests.support.platforms import CHANNEL_ENV, PlatformAPIs, Sent

# (platform, the output, the platform's message length limit); the last two are SMS and WhatsApp.
OUTPUTS: dict[str, tuple[str, Callable[[], OutputChannel], int]] = {
    "telegram": (
        "telegram",
        lambda: TelegramOutput(CHANNEL_ENV["TELEGRAM_ACCESS_TOKEN"], "secret"),
        4096,
    ),
    "messenger": (
        "facebook",
        lambda: MessengerBot(SendAPI(CHANNEL_ENV["FACEBOOK_PAGE_ACCESS_TOKEN"])),
        2000,
    ),
    "slack": ("slack", lambda: SlackBot(CHANNEL_ENV["SLACK_TOKEN"]), 3000),
    "sms": (
        "twilio",
        lambda: TwilioOutput(
            CHANNEL_ENV["TWILIO_ACCOUNT_SID"], CHANNEL_ENV["TWILIO_AUTH_TOKEN"], "+15005550006"
        ),
        1600,
    ),
    "whatsapp": (
        "twilio",
        lambda: TwilioOutput(
            CHANNEL_ENV["TWILIO_ACCOUNT_SID"],
            CHANNEL_ENV["TWILIO_AUTH_TOKEN"],
            "whatsapp:+14155238886",
        ),
        1600,
    ),
}
SENTENCE = "A fusion joins two or more vertebrae, which limits movement between them. "
SHORT_BUTTONS = [
    {"title": "Recovery", "payload": "/ask_recovery_time"},
    {"title": "Mobility", "payload": "/ask_mobility"},
]


def send(apis: PlatformAPIs, name: str, method: str, *args: Any) -> list[Sent]:
    """What a new user receives when the output's method is called with the args."""
    platform, make_output, _ = OUTPUTS[name]
    recipient = str(uuid.uuid4().int % 10**12)

    async def call() -> None:
        output = make_output()
        await getattr(output, method)(recipient, *args)
        if isinstance(output, TelegramOutput):
            await output.session.close()
        if isinstance(output, MessengerBot):
            await output.send_api.close()

    # asyncio's own loop, as the in-process server's (tests/support/rasa_in_process.py).
    loop = asyncio.SelectorEventLoop()
    try:
        loop.run_until_complete(call())
    finally:
        loop.close()
    return apis.messages(platform, recipient)


def long_text(limit: int) -> str:
    return SENTENCE * (2 * limit // len(SENTENCE) + 1)


@pytest.mark.parametrize("name", OUTPUTS)
def test_a_long_answer_comes_in_messages_within_the_limit_cut_between_sentences(
    platform_apis: PlatformAPIs, name: str
) -> None:
    limit = OUTPUTS[name][2]
    text = long_text(limit)
    sent = [message.text for message in send(platform_apis, name, "send_text_message", text)]
    assert len(sent) == 3
    assert all(len(part) <= limit and part.endswith(".") for part in sent)
    assert " ".join(sent) == text.strip()


@pytest.mark.parametrize("name", OUTPUTS)
def test_the_options_come_with_the_last_part_of_a_long_text(
    platform_apis: PlatformAPIs, name: str
) -> None:
    limit = OUTPUTS[name][2]
    sent = send(platform_apis, name, "send_text_with_buttons", long_text(limit), SHORT_BUTTONS)
    assert all(len(message.text) <= limit for message in sent)
    assert not any(message.buttons for message in sent[:-1])
    # Buttons, or on SMS and WhatsApp numbered lines above the hint.
    options = [title for title, _ in sent[-1].buttons] or sent[-1].text.splitlines()[-3:-1]
    assert options in (["Recovery", "Mobility"], ["1. Recovery", "2. Mobility"])


def test_messenger_offers_at_most_13_quick_replies(platform_apis: PlatformAPIs) -> None:
    buttons = [{"title": f"Topic {number}", "payload": f"/topic_{number}"} for number in range(15)]
    [sent] = send(platform_apis, "messenger", "send_text_with_buttons", "Pick one:", buttons)
    assert sent.text == "Pick one:"
    assert sent.buttons == tuple((button["title"], button["payload"]) for button in buttons[:13])


@pytest.mark.parametrize("name", ["telegram", "messenger", "slack"])
def test_one_question_on_three_answers_keeps_every_button_and_its_title(
    platform_apis: PlatformAPIs, content: Content, name: str
) -> None:
    """Six buttons, each naming the answer it rates: Messenger's titles stay titles (at most 20
    characters), and Slack gets all six (Rasa's connector sent none above five).
    """
    buttons = [b for fact in content.facts[:3] for b in feedback_buttons(fact.id, fact.subject)]
    question = "Were these answers helpful?"
    [sent] = send(platform_apis, name, "send_text_with_buttons", question, buttons)
    assert sent.text == question
    assert sent.buttons == tuple((button["title"], button["payload"]) for button in buttons)
