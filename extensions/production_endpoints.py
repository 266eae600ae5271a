"""Writes the endpoints file for several Rasa replicas: endpoints.yml with the tracker store in
PostgreSQL and the lock store in Redis, both from environment variables.

    DB_URL=postgresql://rasa:PASSWORD@db-host:5432/rasa REDIS_HOST=redis-host \
        python -m extensions.production_endpoints --out var/endpoints.yml

endpoints.yml cannot take `${VAR}` without a default, and the password must not be committed,
so scripts/run-assistant writes this file (owner-readable only) when DB_URL or REDIS_HOST is set.
Replicas need both: a shared tracker store, and a shared lock so that the messages of one
conversation are handled one at a time whichever replica receives them. The lock store is ours
(extensions/lock_store.py): Rasa's own Redis lock store lost messages across replicas.
"""

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from extensions.channel_credentials import PROJECT_ROOT, write_private

LOCK_KEY_PREFIX = "spine_fusion"
# What DB_URL replaces in the base tracker store; its other settings are kept.
CONNECTION_KEYS = {"dialect", "url", "port", "db", "username", "password", "login_db", "query"}


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
        "type": "extensions.lock_store.AtomicRedisLockStore",
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, default=PROJECT_ROOT / "endpoints.yml")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    base = yaml.safe_load(args.base.read_text(encoding="utf-8")) or {}
    endpoints = production_endpoints(base, os.environ)
    write_private(args.out, yaml.safe_dump(endpoints, sort_keys=False))


if __name__ == "__main__":
    main()
