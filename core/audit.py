"""The audit trail of patients' data rights: one redacted line for each conversation deleted or
exported, with the sender's hash, the time and the number of events, never a message's text.

Lines go to the log of whoever acts and, as JSON, to an audit file that `make report` counts.
"""

import json
import logging
import time
from pathlib import Path
from typing import Any

from core.redaction import sender_hash

# A patient's confirmed "delete my conversation", and the operator's make forget / make export.
ERASED_BY_PATIENT = "erased_by_patient"
FORGOTTEN = "forgotten"
EXPORTED = "exported"
AUDIT_ACTIONS = (ERASED_BY_PATIENT, FORGOTTEN, EXPORTED)


def record(
    action: str, sender_id: str, events: int, path: Path | None, logger: logging.Logger
) -> dict[str, Any]:
    """Logs the audit line and appends it to `path` when one is given; the line as written."""
    line = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "action": action,
        "sender": sender_hash(sender_id),
        "events": events,
    }
    text = json.dumps(line)
    logger.info("Audit: %s", text)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as audit_file:
            audit_file.write(text + "\n")
    return line


def read(path: Path) -> list[dict[str, Any]]:
    """The audit file's lines, oldest first; none when there is no file yet."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
