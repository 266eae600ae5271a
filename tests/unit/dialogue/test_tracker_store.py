"""The bounded tracker store on a real SQLite database: what Rasa loads, what it stores."""

import asyncio
import json
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    AllSlotsReset,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from core import audit
from core.erasure import ERASE_SLOT
from core.paths import PROJECT_ROOT
from core.redaction import sender_hash
from extensions.dialogue.tracker_store import RecentTurnsSQLTrackerStore

RECENT_TURNS = 3


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
def store(tmp_path: Path, domain: Domain) -> RecentTurnsSQLTrackerStore:
    return RecentTurnsSQLTrackerStore(
        domain=domain, dialect="sqlite", db=str(tmp_path / "c.sqlite"), recent_turns=RECENT_TURNS
    )


def turn(number: int, *slots: SlotSet) -> list[Event]:
    """One exchange: the user's message, the bot's answer and slots, then listening again."""
    return [
        UserUttered(f"message {number}"),
        ActionExecuted("action_answer"),
        BotUttered(f"answer {number}"),
        *slots,
        ActionExecuted("action_listen"),
    ]


def session_start() -> list[Event]:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]


def save(store: SQLTrackerStore, sender: str, events: list[Event]) -> None:
    """Appends events to the conversation as Rasa's processor does: retrieve, update, save."""
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(
        sender, store.domain.slots
    )
    for event in events:
        tracker.update(event)
    asyncio.run(store.save(tracker))


def user_texts(tracker: DialogueStateTracker) -> list[str]:
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


def test_a_long_session_loads_its_latest_turns_with_every_slot(
    store: RecentTurnsSQLTrackerStore,
) -> None:
    save(store, "long", session_start() + turn(0, SlotSet("topic", "recovery")))
    save(store, "long", turn(1, SlotSet("answered_facts", ["recovery_time"])))
    for number in range(2, 10):
        save(store, "long", turn(number))
    tracker = asyncio.run(store.retrieve("long"))
    assert user_texts(tracker) == ["message 7", "message 8", "message 9"]
    assert tracker.get_slot("topic") == "recovery"
    assert tracker.get_slot("answered_facts") == ["recovery_time"]


def test_a_slot_keeps_its_latest_value_and_a_reset_before_the_window_counts(
    store: RecentTurnsSQLTrackerStore,
) -> None:
    save(store, "reset", session_start() + turn(0, SlotSet("topic", "recovery")))
    save(store, "reset", turn(1, SlotSet("topic", "mobility")))
    save(store, "reset", turn(2, AllSlotsReset(), SlotSet("answered_facts", ["what_is_fusion"])))
    for number in range(3, 8):
        save(store, "reset", turn(number))
    tracker = asyncio.run(store.retrieve("reset"))
    assert tracker.get_slot("topic") is None
    assert tracker.get_slot("answered_facts") == ["what_is_fusion"]


def test_every_event_is_stored_once_however_long_the_conversation(
    store: RecentTurnsSQLTrackerStore,
) -> None:
    events = session_start()
    save(store, "whole", events)
    for number in range(12):
        events += turn(number, SlotSet("topic", "recovery"))
        save(store, "whole", events[-5:])
    full = asyncio.run(store.retrieve_full_tracker("whole"))
    assert [event.as_dict() for event in full.events] == [event.as_dict() for event in events]


def stored_rows(database: Path) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
            "FROM events ORDER BY id"
        ).fetchall()


def test_each_event_is_stored_in_the_row_rasas_store_writes(tmp_path: Path, domain: Domain) -> None:
    ours = RecentTurnsSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "o.db"))
    rasas = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "r.db"))
    asked = UserUttered("how long is recovery", {"name": "ask_recovery", "confidence": 0.9})
    events = [*session_start(), asked, *turn(1, SlotSet("topic", "recovery"))[1:], *turn(2)]
    for store in (ours, rasas):
        for first, last in ((0, 3), (3, 8), (8, len(events))):
            save(store, "rows", events[first:last])

    rows = stored_rows(tmp_path / "o.db")
    assert len(rows) == len(events)
    assert ("ask_recovery", None) in {(row[3], row[4]) for row in rows}
    assert rows == stored_rows(tmp_path / "r.db")


def test_a_short_session_loads_as_rasa_loads_it(store: RecentTurnsSQLTrackerStore) -> None:
    save(store, "short", session_start() + turn(0, SlotSet("topic", "options")) + turn(1))
    tracker = asyncio.run(store.retrieve("short"))
    assert user_texts(tracker) == ["message 0", "message 1"]
    assert tracker.get_slot("topic") == "options"


def test_recent_turns_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        RecentTurnsSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "c.sqlite"), recent_turns=0)


def uncached(store: RecentTurnsSQLTrackerStore) -> RecentTurnsSQLTrackerStore:
    """A second store on the same database that reads every window from SQL, as a new replica."""
    return RecentTurnsSQLTrackerStore(
        domain=store.domain,
        dialect="sqlite",
        db=store.engine.url.database,
        recent_turns=store.recent_turns,
        cached_conversations=0,
    )


def as_stored(tracker: DialogueStateTracker) -> tuple[list[dict], dict]:
    return [event.as_dict() for event in tracker.events], tracker.current_slot_values()


# One message's events: a turn, a turn setting a slot, a reset, a new session.
MESSAGES = st.lists(
    st.sampled_from(["turn", "topic", "facts", "reset", "session"]), min_size=1, max_size=40
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(messages=MESSAGES)
def test_a_window_kept_in_memory_is_the_window_sql_reads(
    store: RecentTurnsSQLTrackerStore, messages: list[str]
) -> None:
    sender = f"random-{uuid.uuid4().hex}"
    for number, kind in enumerate(messages):
        events = {
            "turn": turn(number),
            "topic": turn(number, SlotSet("topic", f"topic {number}")),
            "facts": turn(number, SlotSet("answered_facts", [f"fact {number}"])),
            "reset": turn(number, AllSlotsReset()),
            "session": session_start(),
        }[kind]
        save(store, sender, events)
        from_memory = asyncio.run(store.retrieve(sender))
        from_sql = asyncio.run(uncached(store).retrieve(sender))
        assert as_stored(from_memory) == as_stored(from_sql)


def test_another_replicas_write_is_read_from_the_database(
    store: RecentTurnsSQLTrackerStore,
) -> None:
    save(store, "shared", session_start() + turn(0))
    save(uncached(store), "shared", turn(1, SlotSet("topic", "mobility")))
    tracker = asyncio.run(store.retrieve("shared"))
    assert user_texts(tracker) == ["message 0", "message 1"]
    assert tracker.get_slot("topic") == "mobility"


def test_a_conversation_deleted_from_the_database_is_gone_from_memory(
    store: RecentTurnsSQLTrackerStore,
) -> None:
    save(store, "deleted", session_start() + turn(0))
    with store.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'deleted'"))
    assert asyncio.run(store.retrieve("deleted")) is None


def test_a_tracker_the_store_did_not_load_is_stored_whole_and_once(
    store: RecentTurnsSQLTrackerStore,
) -> None:
    save(store, "outside", session_start() + turn(0))
    tracker = asyncio.run(uncached(store).retrieve("outside"))
    tracker.update(UserUttered("message 1"))
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))
    full = asyncio.run(store.retrieve_full_tracker("outside"))
    assert user_texts(full) == ["message 0", "message 1"]


def test_memory_holds_at_most_cached_conversations(tmp_path: Path, domain: Domain) -> None:
    store = RecentTurnsSQLTrackerStore(
        domain=domain, dialect="sqlite", db=str(tmp_path / "c.sqlite"), cached_conversations=2
    )
    for sender in ("first", "second", "third"):
        save(store, sender, session_start() + turn(0))
        save(store, sender, turn(1))
    assert list(store._windows) == ["second", "third"]
    assert user_texts(asyncio.run(store.retrieve("first"))) == ["message 0", "message 1"]


def test_cached_conversations_below_zero_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        RecentTurnsSQLTrackerStore(
            dialect="sqlite", db=str(tmp_path / "c.sqlite"), cached_conversations=-1
        )


def test_a_new_conversation_is_counted_in_memory_from_its_first_save(
    store: RecentTurnsSQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As Rasa starts one: nothing found, an empty tracker saved, then its first events."""
    tracker = asyncio.run(store.get_or_create_tracker("new", append_action_listen=False))
    for event in session_start() + turn(0):
        tracker.update(event)
    monkeypatch.setattr(SQLTrackerStore, "_additional_events", None)
    asyncio.run(store.save(tracker))
    assert user_texts(asyncio.run(uncached(store).retrieve("new"))) == ["message 0"]


def test_sqlite_writes_ahead_on_kept_connections_and_other_readers_see_every_commit(
    store: RecentTurnsSQLTrackerStore,
) -> None:
    save(store, "durable", session_start() + turn(0))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert store.engine.pool.checkedin() >= 1
    with sqlite3.connect(store.engine.url.database) as reader:
        [(stored,)] = reader.execute("SELECT count(*) FROM events WHERE sender_id = 'durable'")
    assert stored == len(session_start() + turn(0))


# An SMS sender's id is their phone number.
PHONE = "+15550100"


def erasure_turn(number: int) -> list[Event]:
    """The confirmed "delete my conversation": the yes, the reply, the slot the action sets."""
    return turn(number, SlotSet(ERASE_SLOT, True))


def test_a_confirmed_erasure_deletes_every_session_of_that_sender_only(
    tmp_path: Path, domain: Domain
) -> None:
    store = RecentTurnsSQLTrackerStore(
        domain=domain,
        dialect="sqlite",
        db=str(tmp_path / "c.sqlite"),
        recent_turns=RECENT_TURNS,
        audit_log=str(tmp_path / "audit.log"),
    )
    save(store, PHONE, session_start() + turn(0))
    save(store, PHONE, session_start() + turn(1))
    save(store, "other", session_start() + turn(0))
    save(store, PHONE, erasure_turn(2))
    senders = {row[0] for row in stored_rows(tmp_path / "c.sqlite")}
    assert senders == {"other"}
    assert asyncio.run(store.retrieve(PHONE)) is None
    assert user_texts(asyncio.run(store.retrieve("other"))) == ["message 0"]
    (line,) = audit.read(tmp_path / "audit.log")
    assert line["action"] == audit.ERASED_BY_PATIENT
    assert line["sender"] == sender_hash(PHONE) and PHONE not in json.dumps(line)
    assert line["events"] == len(2 * session_start() + turn(0) + turn(1))


def test_an_erasure_on_one_replica_empties_the_others_window(
    store: RecentTurnsSQLTrackerStore,
) -> None:
    other_replica = RecentTurnsSQLTrackerStore(
        domain=store.domain, dialect="sqlite", db=store.engine.url.database
    )
    save(store, "patient", session_start() + turn(0))
    assert user_texts(asyncio.run(other_replica.retrieve("patient"))) == ["message 0"]
    save(store, "patient", erasure_turn(1))
    assert asyncio.run(other_replica.retrieve("patient")) is None
    save(other_replica, "patient", session_start() + turn(2))
    full = asyncio.run(store.retrieve_full_tracker("patient"))
    assert user_texts(full) == ["message 2"]


def test_a_slot_set_to_anything_but_true_deletes_nothing(
    store: RecentTurnsSQLTrackerStore,
) -> None:
    save(store, "patient", session_start() + turn(0, SlotSet(ERASE_SLOT, False)))
    assert user_texts(asyncio.run(store.retrieve("patient"))) == ["message 0"]
