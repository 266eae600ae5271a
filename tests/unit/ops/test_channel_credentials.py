"""Messaging channels come on from environment variables only; a channel without them is off,
and says so in one log line.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import yaml
from rasa.core.run import create_http_input_channels

from core.paths import PROJECT_ROOT
from ops.runtime_config import CHANNELS, effective_credentials
from tests.support.platforms import CHANNEL_ENV

BASE = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
ALL_SET = {variable: value for variable, value in CHANNEL_ENV.items() if value}
NONE_SET = {variable: "" for variable in CHANNEL_ENV}
ALL_OFF = [
    "The telegram channel is off: TELEGRAM_ACCESS_TOKEN, TELEGRAM_VERIFY, TELEGRAM_WEBHOOK_URL"
    " not set.",
    "The facebook channel is off: FACEBOOK_VERIFY, FACEBOOK_SECRET, FACEBOOK_PAGE_ACCESS_TOKEN"
    " not set.",
    "The twilio channel is off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_NUMBER not set.",
    "The slack channel is off: SLACK_TOKEN, SLACK_SIGNING_SECRET not set.",
]


def test_each_channel_with_its_variables_set_is_on_with_its_credentials_from_them() -> None:
    credentials, off = effective_credentials(BASE, ALL_SET)
    assert off == []
    assert credentials == {
        **BASE,
        "extensions.channels.telegram.TelegramInput": {
            "access_token": ALL_SET["TELEGRAM_ACCESS_TOKEN"],
            "verify": ALL_SET["TELEGRAM_VERIFY"],
            "webhook_url": ALL_SET["TELEGRAM_WEBHOOK_URL"],
        },
        "extensions.channels.facebook.FacebookInput": {
            "verify": ALL_SET["FACEBOOK_VERIFY"],
            "secret": ALL_SET["FACEBOOK_SECRET"],
            "page-access-token": ALL_SET["FACEBOOK_PAGE_ACCESS_TOKEN"],
        },
        "extensions.channels.twilio.TwilioInput": {
            "account_sid": ALL_SET["TWILIO_ACCOUNT_SID"],
            "auth_token": ALL_SET["TWILIO_AUTH_TOKEN"],
            "twilio_number": ALL_SET["TWILIO_NUMBER"],
            "webhook_url": ALL_SET["TWILIO_WEBHOOK_URL"],
        },
        "extensions.channels.slack.SlackInput": {
            "slack_token": ALL_SET["SLACK_TOKEN"],
            "slack_signing_secret": ALL_SET["SLACK_SIGNING_SECRET"],
        },
    }


def test_with_no_variables_only_the_base_channels_are_on_and_each_other_says_it_is_off() -> None:
    assert effective_credentials(BASE, {}) == (BASE, ALL_OFF)
    assert effective_credentials(BASE, NONE_SET) == (BASE, ALL_OFF)


def test_a_channel_missing_a_variable_is_off_and_its_line_names_only_what_is_missing() -> None:
    env = {**ALL_SET, "TWILIO_AUTH_TOKEN": "", "SLACK_SIGNING_SECRET": "  "}
    credentials, off = effective_credentials(BASE, env)
    assert off == [
        "The twilio channel is off: TWILIO_AUTH_TOKEN not set.",
        "The slack channel is off: SLACK_SIGNING_SECRET not set.",
    ]
    assert "extensions.channels.twilio.TwilioInput" not in credentials
    assert "extensions.channels.telegram.TelegramInput" in credentials


def test_optional_variables_are_passed_on_only_when_set_and_values_are_trimmed() -> None:
    env = {**ALL_SET, "TELEGRAM_SECRET_TOKEN": " rotated-secret\n", "SLACK_CHANNEL": "#spine"}
    credentials, _ = effective_credentials(BASE, env)
    assert credentials["extensions.channels.telegram.TelegramInput"]["secret_token"] == (
        "rotated-secret"
    )
    assert credentials["extensions.channels.slack.SlackInput"]["slack_channel"] == "#spine"


def test_the_written_file_is_private_and_rasa_builds_every_channel_from_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "var" / "credentials.yml"
    subprocess.run(
        [sys.executable, "-m", "ops.runtime_config", "credentials", "--out", str(path)],
        cwd=PROJECT_ROOT,
        env={**os.environ, **CHANNEL_ENV},
        check=True,
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    channels = create_http_input_channels(None, str(path))
    assert {channel.name() for channel in channels} == {
        "rest",
        "socketio",
        "widget",
        *(channel.name for channel in CHANNELS),
    }
    classes = {f"{type(channel).__module__}.{type(channel).__name__}" for channel in channels}
    assert classes >= {channel.connector for channel in CHANNELS}
