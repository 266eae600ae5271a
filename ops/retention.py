"""Deletes conversations nobody has written in for N days, so health questions are not kept forever.

    python -m ops.retention --days 30 [--endpoints endpoints.yml]

Works on the SQL tracker store endpoints.yml names (SQLite by default, PostgreSQL too), through
Rasa's own SQLTrackerStore, so the connection settings are read exactly as the server reads them.
"""

import argparse
import time

from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.utils.common import class_from_module_path
from sqlalchemy import delete, func, select

SECONDS_PER_DAY = 24 * 60 * 60


def positive_days(value: str) -> int:
    days = int(value)
    if days < 1:
        raise argparse.ArgumentTypeError("must be a whole number of days, 1 or more")
    return days


def tracker_store(endpoints_path: str) -> SQLTrackerStore:
    """The SQL tracker store of an endpoints file, Rasa's or a subclass such as
    extensions.dialogue.tracker_store's; any other kind of store is an error.
    """
    config = read_endpoints_from_path(endpoints_path).tracker_store
    store_type = (config.type or "") if config else ""
    try:
        store_class = (
            SQLTrackerStore if store_type.lower() == "sql" else class_from_module_path(store_type)
        )
    except (ImportError, AttributeError):
        store_class = None
    if not (isinstance(store_class, type) and issubclass(store_class, SQLTrackerStore)):
        raise SystemExit(f"{endpoints_path}: retention needs an SQL tracker_store")
    return store_class(host=config.url, **config.kwargs)


def purge(store: SQLTrackerStore, days: int, now: float | None = None) -> tuple[int, int]:
    """Deletes every conversation whose latest event is older than `days`; the numbers of
    conversations and events deleted. A conversation still in use is kept whole.
    """
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    event = store.SQLEvent
    stale = (
        select(event.sender_id).group_by(event.sender_id).having(func.max(event.timestamp) < cutoff)
    )
    with store.session_scope() as session:
        conversations = len(session.execute(stale).all())
        deleted = session.execute(
            delete(event)
            .where(event.sender_id.in_(stale))
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return conversations, deleted.rowcount


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=positive_days, required=True, help="keep this many days")
    parser.add_argument("--endpoints", default="endpoints.yml", help="where the store is named")
    args = parser.parse_args(argv)
    conversations, events = purge(tracker_store(args.endpoints), args.days)
    print(
        f"Deleted {conversations} conversations ({events} events) "
        f"with no message in the last {args.days} days."
    )


if __name__ == "__main__":
    main()
