"""Rasa's SQL tracker store, loading only the latest turns of a conversation and its slots.

Rasa's SQLTrackerStore loads and replays every event of the session for each message, and the
policies and the action server then read them all, so a message cost more the longer its
conversation was (message 300 cost 4.4 times message 20). This store gives Rasa the session's
latest `recent_turns` turns plus the latest value of each slot set before them: the same slots,
a bounded tracker. Every event is still stored, and Rasa's HTTP API still reads whole
conversations (`retrieve_full_tracker`).

    tracker_store:
      type: extensions.tracker_store.RecentTurnsSQLTrackerStore
      dialect: "sqlite"
      db: "var/conversations.sqlite"
      recent_turns: 20

Only slots are carried from before the window: this assistant has no forms and never pauses.
"""

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, AllSlotsReset, Restarted, SlotSet
from sqlalchemy.orm import Query, Session

DEFAULT_RECENT_TURNS = 20
# Events after which no earlier slot value counts.
SLOT_RESETS = (AllSlotsReset.type_name, Restarted.type_name)


class RecentTurnsSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose trackers hold the latest turns of the session and its slots."""

    def __init__(self, *args: Any, recent_turns: int = DEFAULT_RECENT_TURNS, **kwargs: Any) -> None:
        if int(recent_turns) < 1:
            raise ValueError("recent_turns must be 1 or more")
        super().__init__(*args, **kwargs)
        self.recent_turns = int(recent_turns)

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
        window_start = (
            query.filter(
                event.type_name == ActionExecuted.type_name,
                event.action_name == ACTION_LISTEN_NAME,
            )
            .order_by(None)
            .order_by(event.id.desc())
            .offset(self.recent_turns)
            .limit(1)
            .with_entities(event.id)
            .scalar()
        )
        if window_start is None:
            return query
        earlier = query.filter(event.id < window_start).order_by(None)
        last_reset = (
            earlier.filter(event.type_name.in_(SLOT_RESETS))
            .with_entities(sa.func.max(event.id))
            .scalar()
        )
        carried_slots = [
            event_id
            for (event_id,) in earlier.filter(
                event.type_name == SlotSet.type_name, event.id > (last_reset or 0)
            )
            .group_by(event.action_name)
            .with_entities(sa.func.max(event.id))
        ]
        return query.filter(sa.or_(event.id >= window_start, event.id.in_(carried_slots)))
