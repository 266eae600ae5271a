"""The server starts without the messaging channels that are off, and says so once for each."""

import urllib.error
import urllib.request

import pytest
import yaml

from evaluation.support.running_assistant import RunningAssistant
from tests.support.platforms import CHANNEL_ENV
from tests.unit.ops.test_channel_credentials import ALL_OFF, BASE, NONE_SET


@pytest.fixture(scope="module")
def assistant_with_telegram_half_set(tmp_path_factory: pytest.TempPathFactory) -> RunningAssistant:
    """Both servers through scripts/run-assistant, with one of Telegram's three variables set."""
    workdir = tmp_path_factory.mktemp("channels-off")
    env = {
        **NONE_SET,
        "TELEGRAM_ACCESS_TOKEN": CHANNEL_ENV["TELEGRAM_ACCESS_TOKEN"],
        "CREDENTIALS": str(workdir / "credentials.yml"),
    }
    running = RunningAssistant(workdir, env=env).start()
    yield running
    running.stop()


def test_the_server_starts_without_the_channels_that_are_off_and_says_so_once(
    assistant_with_telegram_half_set: RunningAssistant,
) -> None:
    running = assistant_with_telegram_half_set
    assert running.texts("channels-off", "what is a spinal fusion?")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{running.url}/webhooks/telegram/", timeout=10)
    assert missing.value.code == 404
    log = running.log_path.read_text()
    half_set = "The telegram channel is off: TELEGRAM_VERIFY, TELEGRAM_WEBHOOK_URL not set."
    for line in [half_set, *ALL_OFF[1:]]:
        assert log.count(line) == 1
    assert yaml.safe_load((running.workdir / "credentials.yml").read_text()) == BASE
