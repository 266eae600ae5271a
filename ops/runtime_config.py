"""Writes the credentials file Rasa starts with: credentials.yml plus the messaging channels that
have their environment variables set, so that no secret ever sits in the repository.

    python -m extensions.channel_credentials --out var/credentials.yml

A channel missing a required variable is off, with one log line naming what is missing.
scripts/run-assistant runs this before it starts Rasa.
"""

import argparse
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class MessagingChannel:
    """A connector and the environment variables its credentials come from, by credential key."""

    name: str
    connector: str
    required: dict[str, str]
    optional: dict[str, str] = field(default_factory=dict)


CHANNELS = (
    MessagingChannel(
        "telegram",
        "extensions.channels.telegram.TelegramInput",
        {
            "access_token": "TELEGRAM_ACCESS_TOKEN",
            "verify": "TELEGRAM_VERIFY",
            "webhook_url": "TELEGRAM_WEBHOOK_URL",
        },
        {"secret_token": "TELEGRAM_SECRET_TOKEN"},
    ),
    MessagingChannel(
        "facebook",
        "extensions.channels.facebook.FacebookInput",
        {
            "verify": "FACEBOOK_VERIFY",
            "secret": "FACEBOOK_SECRET",
            "page-access-token": "FACEBOOK_PAGE_ACCESS_TOKEN",
        },
    ),
    MessagingChannel(
        "twilio",
        "extensions.channels.twilio.TwilioInput",
        {
            "account_sid": "TWILIO_ACCOUNT_SID",
            "auth_token": "TWILIO_AUTH_TOKEN",
            "twilio_number": "TWILIO_NUMBER",
        },
        {"webhook_url": "TWILIO_WEBHOOK_URL"},
    ),
    MessagingChannel(
        "slack",
        "extensions.channels.slack.SlackInput",
        {"slack_token": "SLACK_TOKEN", "slack_signing_secret": "SLACK_SIGNING_SECRET"},
        {"slack_channel": "SLACK_CHANNEL"},
    ),
)


def effective_credentials(
    base: dict[str, Any], env: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """The base channels plus each messaging channel whose required variables are all set,
    and one message per channel that is off. An empty or blank variable counts as unset.
    """
    credentials = dict(base)
    off = []
    for channel in CHANNELS:
        values = {
            key: env.get(variable, "").strip()
            for key, variable in {**channel.required, **channel.optional}.items()
        }
        missing = [variable for key, variable in channel.required.items() if not values[key]]
        if missing:
            off.append(f"The {channel.name} channel is off: {', '.join(missing)} not set.")
        else:
            credentials[channel.connector] = {key: value for key, value in values.items() if value}
    return credentials, off


def write_private(path: Path, text: str) -> None:
    """Writes the file readable by its owner only, replacing any old one in a single step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, default=PROJECT_ROOT / "credentials.yml")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-8s %(message)s")

    base = yaml.safe_load(args.base.read_text(encoding="utf-8")) or {}
    credentials, off = effective_credentials(base, os.environ)
    for message in off:
        logger.info(message)
    write_private(args.out, yaml.safe_dump(credentials, sort_keys=False))


if __name__ == "__main__":
    main()
