"""Rasa's SQL tracker store, loading only the latest turns of a conversation and its slots.

Rasa's SQLTrackerStore loads and replays every event of the session for each message, and the
policies and the action server then read them all, so a message cost more the longer its
conversation was (message 300 cost 4.4 times message 20). This store gives Rasa the session's
latest `recent_turns` turns plus the latest value of each slot set before them: the same slots,
a bounded tracker. Every event is still stored, and Rasa's HTTP API still reads whole
conversations (`retrieve_full_tracker`).

    tracker_store:
      type: extensions.dialogue.tracker_store.RecentTurnsSQLTrackerStore
      dialect: "sqlite"
      db: "var/conversations.sqlite"
      recent_turns: 20
      cached_conversations: 1000

Only slots are carried from before the window: this assistant has no forms and never pauses.

Finding that window takes several queries, so the store also keeps the latest windows it read or
wrote in memory (`cached_conversations`, 1,000 by default; 0 turns this off). One indexed query
for a conversation's latest stored event tells whether its window is still current, so another
replica's write, a retention deletion or a restart all load it from the database again.

A turn that sets `erase_conversation` (a patient's confirmed "delete my conversation",
core/erasure.py) is not stored: every stored event of the sender, all sessions, is deleted
instead, with an audit line (`audit_log`, core/audit.py). Every replica's window is then stale by
the check above, which finds no latest event.

On SQLite the store keeps its connections open and writes ahead to a log (WAL, synchronous
NORMAL): Rasa's default opened a new connection for every query and waited for the disk at every
commit (a message's read and write: 0.9 + 7.7 ms before, 0.4 + 2.8 ms after). A crash of the
assistant still loses nothing; a power cut may lose the last commits, never the database
(PostgreSQL for production).
"""

import itertools
import json
import logging
import math
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    AllSlotsReset,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import Query, Session, sessionmaker
from sqlalchemy.pool import QueuePool

from core import audit
from core.erasure import ERASE_SLOT
from extensions.private_members import require

logger = logging.getLogger(__name__)

# What of Rasa's SQL store this store overrides (Rasa calls them by name) or reads.
PRIVATE_MEMBERS = tuple(
    f"rasa.core.tracker_store.SQLTrackerStore.{member}"
    for member in ("_additional_events", "_event_query", "session_scope", "SQLEvent")
)
DEFAULT_RECENT_TURNS = 20
DEFAULT_CACHED_CONVERSATIONS = 1000
# Events after which no earlier slot value counts.
SLOT_RESETS = (AllSlotsReset.type_name, Restarted.type_name)
# Finds a conversation's latest session start, listens and slots without reading all its events.
INDEX = (
    "CREATE INDEX IF NOT EXISTS events_sender_type_action_id "
    "ON events (sender_id, type_name, action_name, id)"
)

LatestEvent = tuple[int, float]
IN_MEMORY_SQLITE = (None, "", ":memory:")


def write_ahead(connection: Any, _: Any) -> None:
    """SQLite settings for each new connection: a commit need not wait for the disk."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


def is_listen(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME


def latest_session(events: Sequence[Event]) -> list[Event]:
    """The events from the latest session start on, chosen by time as Rasa's query chooses them."""
    starts = [event.timestamp for event in events if isinstance(event, SessionStarted)]
    return [event for event in events if event.timestamp >= starts[-1]] if starts else list(events)


def recent_window(
    events: Sequence[Event], recent_turns: int, slot_names: Iterable[str]
) -> list[Event]:
    """What `_event_query` selects, worked out from a session's events in order: the latest
    `recent_turns` turns from the listen before them, after the latest SlotSet of each slot
    before them (none from before a reset).
    """
    listens = [index for index, event in enumerate(events) if is_listen(event)]
    if len(listens) <= recent_turns:
        return list(events)
    start = listens[-recent_turns - 1]
    resets = [
        index
        for index, event in enumerate(events[:start])
        if isinstance(event, (AllSlotsReset, Restarted, SessionStarted))
    ]
    slots_since = resets[-1] if resets else -1
    latest_slot_sets = {
        event.key: index
        for index, event in enumerate(events[:start])
        if index > slots_since and isinstance(event, SlotSet)
    }
    carried = sorted(latest_slot_sets[name] for name in slot_names if name in latest_slot_sets)
    return [events[index] for index in carried] + list(events[start:])


def asks_erasure(event: Event) -> bool:
    """Whether the event is the confirmed request to delete the whole conversation."""
    return isinstance(event, SlotSet) and event.key == ERASE_SLOT and event.value is True


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The event as Rasa's SQLTrackerStore.save stores it, as one row of the events table."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


@dataclass(frozen=True)
class CachedWindow:
    """A conversation's window as last read or written, valid while its latest event is."""

    latest_event: LatestEvent | None
    events: tuple[Event, ...]
    # The tracker last handed out or saved, and how many of its events are stored; no tracker
    # for a conversation with nothing stored, whose first tracker Rasa makes itself.
    tracker: "weakref.ref[DialogueStateTracker] | None"
    stored_events: int


NOTHING_STORED = CachedWindow(latest_event=None, events=(), tracker=None, stored_events=0)


class RecentTurnsSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose trackers hold the latest turns of the session and its slots."""

    engine: sa.engine.Engine

    def __init__(
        self,
        *args: Any,
        recent_turns: int = DEFAULT_RECENT_TURNS,
        cached_conversations: int = DEFAULT_CACHED_CONVERSATIONS,
        audit_log: str | None = None,
        **kwargs: Any,
    ) -> None:
        if int(recent_turns) < 1:
            raise ValueError("recent_turns must be 1 or more")
        if int(cached_conversations) < 0:
            raise ValueError("cached_conversations must be 0 or more")
        require(PRIVATE_MEMBERS, "extensions/dialogue/tracker_store.py")
        super().__init__(*args, **kwargs)
        self.recent_turns = int(recent_turns)
        self.cached_conversations = int(cached_conversations)
        self.audit_log = Path(audit_log) if audit_log else None
        self._windows: OrderedDict[str, CachedWindow] = OrderedDict()
        if (
            self.engine.dialect.name == "sqlite"
            and self.engine.url.database not in IN_MEMORY_SQLITE
        ):
            # SQLAlchemy 2's default for an SQLite file; 1.4, which Rasa pins, opens one a query.
            self.engine = sa.create_engine(
                self.engine.url, poolclass=QueuePool, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", write_ahead)
            self.sessionmaker = sessionmaker(bind=self.engine)
        elif self.engine.dialect.name == "postgresql":
            # A connection the pool kept from before a database restart is tested on checkout
            # and replaced; unchecked, it failed the first message after, which Rasa's
            # fail-safe store then answered from memory as a new conversation.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
            self.sessionmaker = sessionmaker(bind=self.engine)
        event = self.SQLEvent
        self._latest_event_query = (
            sa.select(event.id, event.timestamp)
            .where(event.sender_id == sa.bindparam("sender_id"))
            .order_by(event.id.desc())
            .limit(1)
        )
        with self.engine.begin() as connection:
            connection.execute(sa.text(INDEX))

    def _latest_event(self, sender_id: str) -> LatestEvent | None:
        """The id and time of the conversation's latest stored event: one step down an index."""
        with self.engine.connect() as connection:
            row = connection.execute(self._latest_event_query, {"sender_id": sender_id}).first()
        return (row.id, row.timestamp) if row else None

    def _remember(self, sender_id: str, window: CachedWindow) -> None:
        """Keeps the window, forgetting the least recently used beyond `cached_conversations`."""
        self._windows[sender_id] = window
        self._windows.move_to_end(sender_id)
        while len(self._windows) > self.cached_conversations:
            self._windows.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The bounded tracker, from memory when nothing was stored since it was last read."""
        latest_event = self._latest_event(sender_id)
        window = self._windows.get(sender_id)
        if latest_event is None:
            self._remember(sender_id, NOTHING_STORED)
            return None
        if window is not None and window.latest_event == latest_event:
            tracker = DialogueStateTracker.from_events(
                sender_id, list(window.events), self.domain.slots if self.domain else None
            )
            events = window.events
        else:
            tracker = await super().retrieve(sender_id)
            if tracker is None:
                return None
            events = tuple(tracker.events)
        self._remember(
            sender_id, CachedWindow(latest_event, events, weakref.ref(tracker), len(events))
        )
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the new events in the rows Rasa's save writes, in one statement rather than an
        ORM object each, then keeps the tracker's next window, unless this store did not hand the
        tracker out.
        """
        stored_events = self._stored_events(tracker)
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            if any(asks_erasure(event) for event in new_events):
                self._erase(session, sender_id)
                return
            rows = [event_row(sender_id, event) for event in new_events]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()
        if stored_events is None:
            self._windows.pop(sender_id, None)
            return
        latest_event = self._latest_event(sender_id)
        if latest_event is None:
            self._remember(sender_id, NOTHING_STORED)
            return
        events = latest_session(tracker.events)
        slot_names = [slot.name for slot in self.domain.slots] if self.domain else []
        self._remember(
            sender_id,
            CachedWindow(
                latest_event,
                tuple(recent_window(events, self.recent_turns, slot_names)),
                weakref.ref(tracker),
                len(tracker.events),
            ),
        )

    def _erase(self, session: Session, sender_id: str) -> None:
        """Deletes every stored event of the sender, all sessions, and forgets its window."""
        event = self.SQLEvent
        deleted = session.execute(
            sa.delete(event)
            .where(event.sender_id == sender_id)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        self._remember(sender_id, NOTHING_STORED)
        audit.record(audit.ERASED_BY_PATIENT, sender_id, deleted.rowcount, self.audit_log, logger)

    def _stored_events(self, tracker: DialogueStateTracker) -> int | None:
        """How many of the tracker's events are stored, if this store handed it out."""
        window = self._windows.get(tracker.sender_id)
        if window is None:
            return None
        if window.tracker is None:
            return window.stored_events
        return window.stored_events if window.tracker() is tracker else None

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator:
        """The events after those stored, counted in memory for a tracker this store handed out."""
        stored_events = self._stored_events(tracker)
        if stored_events is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored_events, None)

    def _event_query(
        self, session: Session, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Query:
        """The session's last `recent_turns` turns (from the listen before them), plus the latest
        SlotSet of each slot before them.

        Rasa reads and counts the stored tracker with this query both when it loads one and
        when it saves one (`_additional_events`), so both see the same bounded tracker.
        """
        query = super()._event_query(session, sender_id, fetch_events_from_all_sessions)
        if fetch_events_from_all_sessions:
            return query
        event = self.SQLEvent

        def latest_id(
            type_name: str, name: str | None, before: float, offset: int = 0
        ) -> int | None:
            """The id of the latest (or offset-th latest) event of this type and name, before
            an id. `id + 0` is compared as a value, so the database walks the index on type and
            name from the end instead of reading the conversation by id.
            """
            return (
                session.query(event.id)
                .filter(
                    event.sender_id == sender_id,
                    event.type_name == type_name,
                    event.action_name.is_(None) if name is None else event.action_name == name,
                    event.id + 0 < before,
                )
                .order_by(event.id.desc())
                .offset(offset)
                .limit(1)
                .scalar()
            )

        session_start = latest_id(SessionStarted.type_name, None, math.inf) or 0
        listen = ActionExecuted.type_name, ACTION_LISTEN_NAME
        window_start = latest_id(*listen, math.inf, offset=self.recent_turns)
        if window_start is None or window_start < session_start:
            return query
        resets = (latest_id(reset, None, window_start) or 0 for reset in SLOT_RESETS)
        slots_since = max(session_start, *resets)
        carried_slots = [
            latest_id(SlotSet.type_name, slot.name, window_start)
            for slot in (self.domain.slots if self.domain else [])
        ]
        of_sender = session.query(event).filter(event.sender_id == sender_id)
        carried = of_sender.filter(
            event.id.in_([slot_id for slot_id in carried_slots if (slot_id or 0) > slots_since])
        )
        # Two queries, not one with OR, so that neither reads the whole conversation.
        return carried.union_all(of_sender.filter(event.id >= window_start)).order_by(event.id)
