"""The endpoints file of the production profile, from environment variables."""

import pytest
import yaml

from core.paths import PROJECT_ROOT
from ops.runtime_config import production_endpoints

BASE = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())


def test_without_the_variables_the_endpoints_stay_as_they_are() -> None:
    assert production_endpoints(BASE, {"DB_URL": " ", "REDIS_HOST": ""}) == BASE


def test_the_stores_come_from_the_environment() -> None:
    env = {
        "DB_URL": "postgresql://rasa:p%40ss@db.internal:6543/conversations",
        "REDIS_HOST": "redis.internal",
        "REDIS_PASSWORD": "from-the-environment",
    }
    endpoints = production_endpoints(BASE, env)
    assert endpoints["tracker_store"] == {
        "type": "extensions.dialogue.tracker_store.RecentTurnsSQLTrackerStore",
        "recent_turns": BASE["tracker_store"]["recent_turns"],
        "cached_conversations": BASE["tracker_store"]["cached_conversations"],
        "audit_log": BASE["tracker_store"]["audit_log"],
        "dialect": "postgresql",
        "url": "db.internal",
        "port": 6543,
        "db": "conversations",
        "username": "rasa",
        "password": "p@ss",
    }
    assert endpoints["lock_store"] == {
        "type": "extensions.dialogue.lock_store.AtomicRedisLockStore",
        "url": "redis.internal",
        "port": 6379,
        "db": 1,
        "password": "from-the-environment",
        "key_prefix": "spine_fusion",
    }
    assert endpoints["action_endpoint"] == BASE["action_endpoint"]
    assert endpoints["nlg"] == BASE["nlg"]


def test_a_database_url_without_a_database_is_refused() -> None:
    with pytest.raises(SystemExit):
        production_endpoints(BASE, {"DB_URL": "postgresql://db.internal"})
