"""The channels against the platforms as they really behave: Twilio's posts with every field,
blank ones too; a platform's API unreachable while a patient writes, or when the server starts;
and secrets that never reach the log.
"""

import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.facts import Content
from evaluation.support.running_assistant import post_json
from extensions.channels.facebook import SEND_TIMEOUT_SECONDS
from extensions.channels.telegram import derived_secret_token
from extensions.channels.twilio import NO_TEXT_REPLY
from tests.e2e.channels.conftest import CLIENTS, Conversation, LogLines
from tests.support.platforms import (
    CHANNEL_ENV,
    SMS_FIELDS,
    WHATSAPP_FIELDS,
    MessengerClient,
    PlatformAPIs,
    TwilioClient,
    wait_for,
)
from tests.support.rasa_in_process import ActionServer, InProcessRasa

QUESTION = "what is a spinal fusion?"
# The credentials an operator exports that must never be logged (TELEGRAM_VERIFY is the bot's
# public username, TWILIO_NUMBER and TWILIO_ACCOUNT_SID are not secret).
SECRET_VARIABLES = [
    "TELEGRAM_ACCESS_TOKEN",
    "FACEBOOK_VERIFY",
    "FACEBOOK_SECRET",
    "FACEBOOK_PAGE_ACCESS_TOKEN",
    "TWILIO_AUTH_TOKEN",
    "SLACK_TOKEN",
    "SLACK_SIGNING_SECRET",
]


@pytest.mark.parametrize("fields", [SMS_FIELDS, WHATSAPP_FIELDS], ids=["sms", "whatsapp"])
def test_twilio_sends_every_documented_field_and_several_are_blank(fields: dict) -> None:
    blank = {name for name, value in fields.items() if not value}
    assert {"From", "To", "Body", "MessageSid", "AccountSid", "NumMedia"} <= set(fields)
    assert blank >= {"From", "To", "Body"}
    if fields is SMS_FIELDS:
        assert {"ToCity", "FromZip", "FromState", "MessagingServiceSid"} <= blank
    else:
        assert {"ProfileName", "WaId"} <= set(fields)


@pytest.mark.parametrize("client", ["sms"], indirect=True)
def test_a_signed_twilio_post_with_blank_fields_is_answered_in_twiml(
    conversation: Conversation, platform_apis: PlatformAPIs, content: Content
) -> None:
    form = conversation.client.form(conversation.user, QUESTION)
    assert "" in form.values()
    calls = platform_apis.stand_ins["twilio"].calls
    replies = conversation.replies(lambda: conversation.client.send(conversation.user, form))
    assert [reply.text for reply in replies[:2]] == [
        content.disclaimer,
        content.fact_for_intent("ask_what_is_fusion").answer,
    ]
    # The replies came in the webhook's response: Twilio's REST API was not called.
    assert platform_apis.stand_ins["twilio"].calls == calls


@pytest.mark.parametrize("client", ["whatsapp"], indirect=True)
def test_a_picture_without_words_gets_a_sane_reply(conversation: Conversation) -> None:
    """WhatsApp's post of a photo has a blank Body, signed like the rest."""
    client: TwilioClient = conversation.client
    replies = conversation.replies(lambda: client.picture(conversation.user))
    assert [reply.text for reply in replies] == [NO_TEXT_REPLY]


@pytest.mark.parametrize("client", ["messenger"], indirect=True)
def test_a_messenger_postback_is_answered(conversation: Conversation, content: Content) -> None:
    client: MessengerClient = conversation.client
    replies = conversation.replies(
        lambda: client.postback(conversation.user, "Do I need one?", "/ask_fusion_necessity")
    )
    assert content.fact_for_intent("ask_fusion_necessity").answer in [r.text for r in replies]


def test_a_message_written_while_the_platform_is_down_is_stored_and_answered_once_it_is_back(
    conversation: Conversation, platform_apis: PlatformAPIs, server_log: LogLines, content: Content
) -> None:
    platform = conversation.client.name
    seen = len(server_log.lines)
    platform_apis.down(platform)
    try:
        assert conversation.client.say(conversation.user, QUESTION) in (200, 204)
        wait_for(lambda: "bot" in conversation.stored(), what="storing the conversation")
        if platform != "twilio":
            failure = f"The {platform} platform did not take a reply"
            logged = wait_for(
                lambda: [line for line in server_log.lines[seen:] if failure in line],
                what="a failed delivery",
            )
            assert "tracker store" not in logged[0]
            assert conversation.received() == []
    finally:
        platform_apis.up(platform)
    assert conversation.stored("user") == [QUESTION]
    answer = content.fact_for_intent("ask_what_is_fusion").answer
    assert answer in conversation.stored("bot")
    wait_for(conversation.received, what="the replies once the platform is back")
    conversation.settle()
    assert [reply.text for reply in conversation.received()[:2]] == [content.disclaimer, answer]


def seconds_to_answer(server: InProcessRasa, channel: str) -> float:
    """How long the REST or widget webhook takes to answer a new user's question."""
    start = time.monotonic()
    replies = post_json(
        f"{server.url}/webhooks/{channel}/webhook",
        {"sender": f"{channel}-{uuid.uuid4().hex[:8]}", "message": QUESTION},
    )
    assert replies
    return time.monotonic() - start


def test_rest_and_the_widget_answer_at_their_usual_speed_while_the_graph_api_hangs(
    rasa_server: InProcessRasa, platform_apis: PlatformAPIs, server_log: LogLines, content: Content
) -> None:
    """A Messenger reply waits up to SEND_TIMEOUT_SECONDS for the Graph API; nothing else does."""
    messenger = Conversation(
        rasa_server, MessengerClient(rasa_server.url, CHANNEL_ENV, platform_apis)
    )
    channels = ["rest", "widget"] * 3
    usual = max(seconds_to_answer(rasa_server, channel) for channel in channels)
    seen = len(server_log.lines)
    with platform_apis.hanging("facebook") as graph_api:
        calls = graph_api.calls
        assert messenger.client.say(messenger.user, QUESTION) == 200
        wait_for(lambda: graph_api.calls > calls, what="a call to the hanging Graph API")
        meanwhile = [seconds_to_answer(rasa_server, channel) for channel in channels]
        assert max(meanwhile) < min(2 * usual + 2, SEND_TIMEOUT_SECONDS / 2), (usual, meanwhile)
        wait_for(
            lambda: "no answer within" in "\n".join(server_log.lines[seen:]),
            timeout=2 * SEND_TIMEOUT_SECONDS,
            what="the reply's first attempt timing out",
        )
    # The same retries as when Facebook is down: the reply arrives once the Graph API answers.
    wait_for(messenger.received, what="the replies once the Graph API answers again")
    messenger.settle()
    answer = content.fact_for_intent("ask_what_is_fusion").answer
    assert [reply.text for reply in messenger.received()[:2]] == [content.disclaimer, answer]


@pytest.fixture
def started_while_telegram_is_down(
    tmp_path: Path,
    platform_apis: PlatformAPIs,
    channel_credentials: Path,
    action_server: ActionServer,
    rasa_server: InProcessRasa,
) -> Iterator[InProcessRasa]:
    """A second server, started with every channel on and api.telegram.org unreachable."""
    platform_apis.down("telegram")
    server = None
    try:
        server = InProcessRasa(tmp_path, channel_credentials, action_server.port).start()
        yield server
    finally:
        platform_apis.up("telegram")
        if server:
            server.stop()


def test_telegram_unreachable_at_start_leaves_the_other_channels_answering_and_is_retried(
    started_while_telegram_is_down: InProcessRasa,
    platform_apis: PlatformAPIs,
    server_log: LogLines,
    content: Content,
) -> None:
    server = started_while_telegram_is_down
    wait_for(
        lambda: "The Telegram webhook is not set: NetworkError" in server_log.text(),
        what="logging that the webhook is not set",
    )
    widget = f"{server.url}/webhooks/widget/webhook"
    replies = post_json(widget, {"sender": "telegram-down", "message": QUESTION})
    assert replies[0]["text"] == content.disclaimer
    # Telegram is back: the server sets the webhook again by itself, and on request.
    registered = len(platform_apis.telegram_webhooks)
    platform_apis.up("telegram")
    wait_for(
        lambda: len(platform_apis.telegram_webhooks) > registered,
        timeout=30,
        what="setting the webhook again in the background",
    )
    with urllib.request.urlopen(f"{server.url}/webhooks/telegram/set_webhook", timeout=30) as set_:
        assert set_.read() == b"Webhook setup successful"
    assert platform_apis.telegram_webhooks[-1]["url"] == CHANNEL_ENV["TELEGRAM_WEBHOOK_URL"]


def test_no_channel_secret_is_ever_logged(
    rasa_server: InProcessRasa, platform_apis: PlatformAPIs, server_log: LogLines
) -> None:
    """At DEBUG, after a message on every channel, then one on Messenger while Facebook is down,
    whose failed call carried the page token.
    """
    for make_client in CLIENTS.values():
        Conversation(rasa_server, make_client(rasa_server.url, CHANNEL_ENV, platform_apis)).say(
            QUESTION
        )
    messenger = Conversation(
        rasa_server, MessengerClient(rasa_server.url, CHANNEL_ENV, platform_apis)
    )
    seen = len(server_log.lines)
    platform_apis.down("facebook")
    try:
        messenger.client.say(messenger.user, QUESTION)
        wait_for(
            lambda: "did not take a reply" in "\n".join(server_log.lines[seen:]),
            what="a failed delivery",
        )
    finally:
        platform_apis.up("facebook")
    wait_for(messenger.received, what="the reply once Facebook is back")
    logged = server_log.text()
    assert "facebook platform did not take a reply" in logged, "the test saw no failed call"
    secrets = [CHANNEL_ENV[variable] for variable in SECRET_VARIABLES]
    for secret in [*secrets, derived_secret_token(CHANNEL_ENV["TELEGRAM_ACCESS_TOKEN"])]:
        assert secret not in logged
