"""One person's conversation, for the operator: what they were told, a copy for them, or its
deletion.

    python -m ops.conversation transcript --sender ID [--show-text] [--endpoints endpoints.yml]
    python -m ops.conversation export --sender ID > conversation.json
    python -m ops.conversation forget --sender ID

`transcript` prints each message with the fact or emergency entry and the version of its text
beside each reply, redacted as the logs are unless --show-text. `export` (a person's right of
access) prints every stored event as JSON; `forget` (their right to erasure) deletes them all,
every session. Both write an audit line (core/audit.py) that `make report` counts.
"""

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import delete, select

from core import audit
from core.paths import AUDIT_LOG_PATH
from core.redaction import redact
from ops.retention import tracker_store

logger = logging.getLogger(__name__)


def audit_path(store: SQLTrackerStore) -> Path:
    """The audit file the servers write to, so that every line of a deployment is in one place."""
    return getattr(store, "audit_log", None) or AUDIT_LOG_PATH


def sender_events(store: SQLTrackerStore, sender_id: str) -> list[dict[str, Any]]:
    """Every stored event of the sender, all sessions, as Rasa stored them, in order."""
    event = store.SQLEvent
    with store.session_scope() as session:
        rows = session.execute(
            select(event.data).where(event.sender_id == sender_id).order_by(event.id)
        ).all()
    return [json.loads(row.data) for row in rows]


def forget(store: SQLTrackerStore, sender_id: str) -> int:
    """Deletes every stored event of the sender; how many. Running servers see it at the
    sender's next message (the tracker store checks its latest event first).
    """
    event = store.SQLEvent
    with store.session_scope() as session:
        deleted = session.execute(
            delete(event)
            .where(event.sender_id == sender_id)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    audit.record(audit.FORGOTTEN, sender_id, deleted.rowcount, audit_path(store), logger)
    return deleted.rowcount


def export(store: SQLTrackerStore, sender_id: str) -> dict[str, Any]:
    """Everything stored about the sender, unredacted: it is theirs."""
    events = sender_events(store, sender_id)
    audit.record(audit.EXPORTED, sender_id, len(events), audit_path(store), logger)
    return {
        "sender_id": sender_id,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "events": events,
    }


def provenance(metadata: dict[str, Any]) -> str:
    """Which reviewed entry a reply said, and the version of its text, if it said one."""
    for kind, key in (("fact", "fact_id"), ("emergency", "emergency_id")):
        if metadata.get(key):
            return f" [{kind} {metadata[key]} v{metadata.get('content_version', '?')}]"
    return f" [{metadata['utter_action']}]" if metadata.get("utter_action") else ""


def transcript(events: list[dict[str, Any]], show_text: bool) -> list[str]:
    """One line per message: time, who, text (redacted unless show_text), and for a reply what
    it was drawn from.
    """
    lines = []
    for event in events:
        if event.get("event") not in ("user", "bot"):
            continue
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(event.get("timestamp") or 0))
        text = event.get("text") or ""
        text = text if show_text else redact(text)
        if event["event"] == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            lines.append(f"{when} patient: {text} ({intent})")
        else:
            lines.append(f"{when} assistant: {text}{provenance(event.get('metadata') or {})}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("transcript", "export", "forget"))
    parser.add_argument("--sender", required=True, help="the conversation's sender id")
    parser.add_argument("--endpoints", default="endpoints.yml", help="where the store is named")
    parser.add_argument("--show-text", action="store_true", help="transcript: texts unredacted")
    args = parser.parse_args(argv)
    # The audit line goes to stderr, so that an export's stdout is only its JSON.
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    store = tracker_store(args.endpoints)
    if args.command == "transcript":
        lines = transcript(sender_events(store, args.sender), args.show_text)
        print("\n".join(lines) if lines else f"No stored conversation for {args.sender!r}.")
    elif args.command == "export":
        print(json.dumps(export(store, args.sender), indent=2))
    else:
        removed = forget(store, args.sender)
        print(f"Deleted {removed} events of that sender.", file=sys.stderr)


if __name__ == "__main__":
    main()
