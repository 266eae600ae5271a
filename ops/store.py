"""Reads the conversations of the tracker store in batches, so a month of traffic never has to
fit in memory at once.
"""

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import select

from ops.retention import SECONDS_PER_DAY

BATCH_SIZE = 2000
# Only these events' stored JSON is read; the others are told apart by their columns.
EVENTS_WITH_DATA = ("user", "bot")


@dataclass(frozen=True)
class StoredEvent:
    sender_id: str
    type_name: str
    timestamp: float
    action_name: str | None
    data: dict[str, Any]


def cutoff(days: int, now: float | None = None) -> float:
    """The Unix time `days` days before now."""
    return (time.time() if now is None else now) - days * SECONDS_PER_DAY


def stored_events(
    store: SQLTrackerStore, since: float, batch_size: int = BATCH_SIZE
) -> Iterator[StoredEvent]:
    """Every event stored since a Unix time, in the order stored, `batch_size` rows per query.

    Each batch starts after the last id of the one before (keyset paging), so every query walks
    the primary key from where the last stopped, on SQLite and PostgreSQL alike.
    """
    event = store.SQLEvent
    columns = (
        event.id,
        event.sender_id,
        event.type_name,
        event.timestamp,
        event.action_name,
        event.data,
    )
    last_id = 0
    with store.session_scope() as session:
        while True:
            rows = session.execute(
                select(*columns)
                .where(event.id > last_id, event.timestamp >= since)
                .order_by(event.id)
                .limit(batch_size)
            ).all()
            for row in rows:
                yield StoredEvent(
                    sender_id=row.sender_id,
                    type_name=row.type_name,
                    timestamp=row.timestamp,
                    action_name=row.action_name,
                    data=json.loads(row.data) if row.type_name in EVENTS_WITH_DATA else {},
                )
            if len(rows) < batch_size:
                return
            last_id = rows[-1].id
