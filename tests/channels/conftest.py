"""The real Rasa server with every messaging channel on, its credentials made from the environment
as scripts/run-assistant makes them, and the platforms' APIs answered in-process.
"""

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from tests.channels.platforms import (
    ChannelClient,
    MessengerClient,
    PlatformAPIs,
    Sent,
    SlackClient,
    TelegramClient,
    TwilioClient,
)
from tests.channels.rasa_in_process import ActionServer, InProcessRasa
from tests.running_assistant import PROJECT_ROOT

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

CLIENTS: dict[str, Callable[..., ChannelClient]] = {
    "telegram": TelegramClient,
    "messenger": MessengerClient,
    "sms": TwilioClient,
    "whatsapp": lambda *args: TwilioClient(*args, prefix="whatsapp:"),
    "slack": SlackClient,
}


@pytest.fixture(scope="package")
def platform_apis() -> Iterator[PlatformAPIs]:
    with PlatformAPIs(CHANNEL_ENV["TELEGRAM_VERIFY"]) as apis:
        yield apis


@pytest.fixture(scope="package")
def rasa_server(
    tmp_path_factory: pytest.TempPathFactory, platform_apis: PlatformAPIs
) -> Iterator[InProcessRasa]:
    workdir = tmp_path_factory.mktemp("channels")
    credentials = workdir / "credentials.yml"
    subprocess.run(
        [sys.executable, "-m", "extensions.channel_credentials", "--out", str(credentials)],
        cwd=PROJECT_ROOT,
        env={**os.environ, **CHANNEL_ENV},
        check=True,
    )
    actions = ActionServer(workdir / "actions.log").start()
    try:
        server = InProcessRasa(workdir, credentials, actions.port).start()
        yield server
        server.stop()
    finally:
        actions.stop()


@pytest.fixture(params=CLIENTS)
def client(
    request: pytest.FixtureRequest, rasa_server: InProcessRasa, platform_apis: PlatformAPIs
) -> ChannelClient:
    return CLIENTS[request.param](rasa_server.url, CHANNEL_ENV, platform_apis)


class Conversation:
    """A new user of one channel, talking to the assistant through the platform."""

    def __init__(self, server: InProcessRasa, client: ChannelClient) -> None:
        self.server = server
        self.client = client
        self.user = client.new_user()

    def say(self, text: str) -> list[Sent]:
        """What the user receives in reply to a message."""
        return self.replies(lambda: self.client.say(self.user, text))

    def click(self, title: str, payload: str) -> list[Sent]:
        """What the user receives after tapping a button."""
        return self.replies(lambda: self.client.click(self.user, title, payload))

    def replies(self, post: Callable[[], int]) -> list[Sent]:
        before = len(self.received())
        assert post() in (200, 204)
        self.settle()
        return self.received()[before:]

    def received(self) -> list[Sent]:
        return self.client.received(self.user)

    def settle(self, timeout: float = 60) -> None:
        """Waits for the messages Slack's connector handles in the background after answering."""
        slack = self.server.input_channel("slack")
        deadline = time.monotonic() + timeout
        while slack._background_tasks:
            assert time.monotonic() < deadline, "Slack's message was not handled in time"
            time.sleep(0.1)

    def events(self) -> int:
        """How many events the tracker store holds for the user: none means Rasa never saw one."""
        with sqlite3.connect(self.server.tracker_db) as db:
            query = "SELECT COUNT(*) FROM events WHERE sender_id = ?"
            return db.execute(query, (self.user,)).fetchone()[0]


@pytest.fixture
def conversation(rasa_server: InProcessRasa, client: ChannelClient) -> Conversation:
    return Conversation(rasa_server, client)
