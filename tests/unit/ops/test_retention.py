"""Retention on a real SQLite tracker store, written by Rasa's SQLTrackerStore."""

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from core.paths import PROJECT_ROOT
from ops.retention import SECONDS_PER_DAY, purge

NOW = time.time()


def days_ago(days: float) -> float:
    return NOW - days * SECONDS_PER_DAY


def save_conversation(store: SQLTrackerStore, sender: str, *ages_in_days: float) -> None:
    """A conversation with one user message and one bot action at each age given."""
    events = []
    for age in ages_in_days:
        events += [
            UserUttered("hello", timestamp=days_ago(age)),
            ActionExecuted("action_listen", timestamp=days_ago(age)),
        ]
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


def senders(store: SQLTrackerStore) -> set[str]:
    return set(asyncio.run(store.keys()))


@pytest.fixture
def endpoints(tmp_path: Path) -> Path:
    """An endpoints file like the project's, with its SQLite store in tmp_path."""
    config = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    config["tracker_store"]["db"] = str(tmp_path / "conversations.sqlite")
    path = tmp_path / "endpoints.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def store(endpoints: Path) -> SQLTrackerStore:
    config = yaml.safe_load(endpoints.read_text())["tracker_store"]
    store = SQLTrackerStore(dialect="sqlite", db=config["db"])
    save_conversation(store, "old", 45, 40)
    save_conversation(store, "still-going", 60, 2)
    save_conversation(store, "recent", 1, 0)
    return store


def test_only_conversations_idle_for_longer_than_the_period_are_deleted(
    store: SQLTrackerStore,
) -> None:
    assert purge(store, days=30, now=NOW) == (1, 4)
    assert senders(store) == {"still-going", "recent"}
    assert len(asyncio.run(store.retrieve_full_tracker("still-going")).events) == 4


def test_the_command_reads_the_store_from_the_endpoints_file(
    store: SQLTrackerStore, endpoints: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ops.retention", "--days", "1", "--endpoints", endpoints],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Deleted 2 conversations (8 events)" in result.stdout
    assert senders(store) == {"recent"}


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_a_period_that_is_not_a_positive_number_of_days_is_refused(
    endpoints: Path, days: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ops.retention", "--days", days, "--endpoints", endpoints],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
