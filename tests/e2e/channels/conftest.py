"""The real Rasa server with every messaging channel on, its credentials made from the environment
as scripts/run-assistant makes them, and the platforms' APIs stood up on loopback over HTTPS.
"""

import json
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.paths import PROJECT_ROOT
from tests.support.platforms import (
    CHANNEL_ENV,
    ChannelClient,
    MessengerClient,
    PlatformAPIs,
    Sent,
    SlackClient,
    TelegramClient,
    TwilioClient,
    wait_for,
)
from tests.support.rasa_in_process import ActionServer, InProcessRasa

CLIENTS: dict[str, Callable[..., ChannelClient]] = {
    "telegram": TelegramClient,
    "messenger": MessengerClient,
    "sms": TwilioClient,
    "whatsapp": lambda *args: TwilioClient(*args, prefix="whatsapp:"),
    "slack": SlackClient,
}


class LogLines(logging.Handler):
    """Every log line of the test process, formatted as the servers' own log writes it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)-8s %(name)s  %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture(scope="package")
def server_log() -> Iterator[LogLines]:
    """What the servers log at DEBUG, Rasa's most detailed level, while the channel tests run."""
    root = logging.getLogger()
    handler, level = LogLines(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="package")
def platform_apis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformAPIs]:
    apis = PlatformAPIs(CHANNEL_ENV, tmp_path_factory.mktemp("platforms"))
    with apis.reachable():
        apis.up()
        yield apis
        apis.down()


@pytest.fixture(scope="package")
def channel_credentials(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The credentials file scripts/run-assistant writes with every channel's variables set."""
    credentials = tmp_path_factory.mktemp("credentials") / "credentials.yml"
    subprocess.run(
        [sys.executable, "-m", "ops.runtime_config", "credentials", "--out", str(credentials)],
        cwd=PROJECT_ROOT,
        env={**os.environ, **CHANNEL_ENV},
        check=True,
    )
    return credentials


@pytest.fixture(scope="package")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    actions = ActionServer(tmp_path_factory.mktemp("actions") / "actions.log").start()
    yield actions
    actions.stop()


@pytest.fixture(scope="package")
def rasa_server(
    tmp_path_factory: pytest.TempPathFactory,
    server_log: LogLines,
    platform_apis: PlatformAPIs,
    channel_credentials: Path,
    action_server: ActionServer,
) -> Iterator[InProcessRasa]:
    workdir = tmp_path_factory.mktemp("channels")
    server = InProcessRasa(workdir, channel_credentials, action_server.port).start()
    # Telegram posts updates only once the webhook is set, in the background.
    wait_for(lambda: platform_apis.telegram_webhooks, what="setting the Telegram webhook")
    yield server
    server.stop()


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
        """Waits for what the connectors do after answering the webhook: Slack's handles the
        message, and every channel but Twilio sends the replies, in the background.
        """
        channel = self.server.input_channel(self.client.name)
        wait_for(
            lambda: not channel.deliveries and not getattr(channel, "_background_tasks", None),
            timeout,
            f"handling the {self.client.name} message",
        )

    def events(self) -> int:
        """How many events the tracker store holds for the user: none means Rasa never saw one."""
        return len(self.stored())

    def stored(self, kind: str | None = None) -> list[str]:
        """The types of the user's events in the tracker store ("user", "bot", ...), or the texts
        of those of one kind."""
        with sqlite3.connect(self.server.tracker_db) as db:
            query = "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id"
            rows = db.execute(query, (self.user,)).fetchall()
        if kind is None:
            return [type_name for type_name, _ in rows]
        return [json.loads(data).get("text") for type_name, data in rows if type_name == kind]


@pytest.fixture
def conversation(rasa_server: InProcessRasa, client: ChannelClient) -> Conversation:
    return Conversation(rasa_server, client)
