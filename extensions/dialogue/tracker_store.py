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

Only slots are carried from before the window: this assistant has no forms and never pauses.
"""

import math
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    AllSlotsReset,
    Restarted,
    SessionStarted,
    SlotSet,
)
from sqlalchemy.orm import Query, Session

DEFAULT_RECENT_TURNS = 20
# Events after which no earlier slot value counts.
SLOT_RESETS = (AllSlotsReset.type_name, Restarted.type_name)
# Finds a conversation's latest session start, listens and slots without reading all its events.
INDEX = (
    "CREATE INDEX IF NOT EXISTS events_sender_type_action_id "
    "ON events (sender_id, type_name, action_name, id)"
)


class RecentTurnsSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose trackers hold the latest turns of the session and its slots."""

    def __init__(self, *args: Any, recent_turns: int = DEFAULT_RECENT_TURNS, **kwargs: Any) -> None:
        if int(recent_turns) < 1:
            raise ValueError("recent_turns must be 1 or more")
        super().__init__(*args, **kwargs)
        self.recent_turns = int(recent_turns)
        with self.engine.begin() as connection:
            connection.execute(sa.text(INDEX))

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
