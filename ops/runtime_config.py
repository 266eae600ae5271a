"""Writes the files Rasa starts with from the committed ones plus environment variables, so that
no secret ever sits in the repository. scripts/run-assistant runs it before it starts Rasa.

    python -m ops.runtime_config credentials --out var/credentials.yml
    DB_URL=postgresql://rasa:PASSWORD@db-host:5432/rasa REDIS_HOST=redis-host \
        python -m ops.runtime_config endpoints --out var/endpoints.yml

credentials: credentials.yml plus each messaging channel whose environment variables are set; a
channel missing a required variable is off, with one log line naming what is missing.

endpoints, for several Rasa replicas: endpoints.yml with the tracker store in PostgreSQL and the
lock store in Redis. endpoints.yml cannot take `${VAR}` without a default, and the password must
not be committed, so this file is written (owner-readable only) when DB_URL or REDIS_HOST is set.
Replicas need both: a shared tracker store, and a shared lock so that the messages of one
conversation are handled one at a time whichever replica receives them. The lock store is ours
(extensions/dialogue/lock_store.py): Rasa's own Redis lock store lost messages across replicas.
"""

import argparse
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from core.paths import PROJECT_ROOT
from ops.files import PRIVATE, write_atomically

logger = logging.getLogger(__name__)

LOCK_KEY_PREFIX = "spine_fusion"
# What DB_URL replaces in the base tracker store; its other settings are kept.
CONNECTION_KEYS = {"dialect", "url", "port", "db", "username", "password", "login_db", "query"}


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


def sql_tracker_store(db_url: str, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The base SQL tracker store (its type and options, e.g. recent_turns) in the database of a
    URL such as postgresql://u:p@h:5432/db.
    """
    url = urlsplit(db_url)
    if not url.scheme or not url.hostname or not url.path.strip("/"):
        raise SystemExit("DB_URL must look like postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
    options = {key: value for key, value in (base or {}).items() if key not in CONNECTION_KEYS}
    store = {
        "type": "SQL",
        **options,
        "dialect": url.scheme,
        "url": url.hostname,
        "port": url.port,
        "db": url.path.strip("/"),
        "username": unquote(url.username or ""),
        "password": unquote(url.password or ""),
    }
    return {key: value for key, value in store.items() if value not in (None, "")}


def redis_lock_store(env: Mapping[str, str]) -> dict[str, Any]:
    """Rasa's Redis lock store settings from REDIS_HOST, REDIS_PORT, REDIS_DB, REDIS_PASSWORD."""
    store = {
        "type": "extensions.dialogue.lock_store.AtomicRedisLockStore",
        "url": env["REDIS_HOST"],
        "port": int(env.get("REDIS_PORT") or 6379),
        "db": int(env.get("REDIS_DB") or 1),
        "password": env.get("REDIS_PASSWORD", ""),
        "key_prefix": LOCK_KEY_PREFIX,
    }
    return {key: value for key, value in store.items() if value != ""}


def production_endpoints(base: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """The base endpoints with the stores the environment names; the others as they were."""
    endpoints = dict(base)
    if env.get("DB_URL", "").strip():
        endpoints["tracker_store"] = sql_tracker_store(
            env["DB_URL"].strip(), base.get("tracker_store")
        )
    if env.get("REDIS_HOST", "").strip():
        endpoints["lock_store"] = redis_lock_store(env)
    return endpoints


def credentials(base: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """effective_credentials, with a log line for each channel that is off."""
    written, off = effective_credentials(base, env)
    for message in off:
        logger.info(message)
    return written


# What each command writes: its default base file, and how the environment changes it.
COMMANDS: dict[str, tuple[str, Callable[[dict[str, Any], Mapping[str, str]], dict[str, Any]]]] = {
    "credentials": ("credentials.yml", credentials),
    "endpoints": ("endpoints.yml", production_endpoints),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("--base", type=Path, help="the committed file (default: the command's)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-8s %(message)s")

    default_base, build = COMMANDS[args.command]
    base_path = args.base or PROJECT_ROOT / default_base
    base = yaml.safe_load(base_path.read_text(encoding="utf-8")) or {}
    # Readable by its owner only: it holds the channels' secrets.
    write_atomically(args.out, yaml.safe_dump(build(base, os.environ), sort_keys=False), PRIVATE)


if __name__ == "__main__":
    main()
