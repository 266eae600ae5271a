"""Redacts e-mail addresses, phone numbers and channel secrets from every log record, before any
handler sees it.

People write their contact details into health questions, and the platforms' clients put tokens
in URLs and errors; the logs must keep neither. Installed by extensions/rasa_server.py (Rasa
server) and actions/logging_privacy.py (action server); the channels register their secrets.
"""

import hashlib
import logging
import re
from collections.abc import Iterable
from typing import Any

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven or more digits, maybe with +, spaces, dots, dashes or brackets between them, but not a
# fraction such as a confidence of 0.9876543, nor an ISO date (Twilio's API version 2010-04-01,
# a timestamp). Other long numbers (Unix times, chat ids) are redacted too: better too much than
# a phone number kept.
PHONE = re.compile(
    r"(?<![\w.])(?!\d{4}-\d\d-\d\d(?!\d))\+?\(?(?!\d\.)\d(?:[\s().-]{0,2}\d){6,}(?!\w)"
)
# Secrets in the shapes the platforms' clients log them, for a secret no channel registered:
# Messenger's ?access_token=, Telegram's /bot<token>/ and Slack's xox?- tokens.
SECRET_SHAPES = re.compile(r"(?<=access_token=)[^&\s'\"]+|(?<=/bot)\d+:[\w-]+|\bxox[a-z]-[\w-]+")
SECRET = "[secret]"

# The channels' secret values, as the running server's connectors were given them.
secrets: set[str] = set()


def hide(values: Iterable[str | None]) -> None:
    """Adds secret values that no log line may show, from now on."""
    secrets.update(value for value in values if value)


def redact(text: str, hidden: Iterable[str] = ()) -> str:
    """The text without e-mail addresses, phone numbers, secret-shaped tokens or hidden values."""
    # Longest first, so that a secret containing another is hidden whole.
    for value in sorted(hidden, key=len, reverse=True):
        text = text.replace(value, SECRET)
    text = SECRET_SHAPES.sub(SECRET, text)
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))


class RedactPersonalData(logging.Filter):
    """Replaces the record's message and traceback with redacted text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message, secrets), None
        if record.exc_info:
            # Handlers format exc_text when it is unset: an error's text often holds the URL.
            traceback = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(traceback, secrets)
        return True


def install() -> None:
    """Runs the filter on every record any logger creates, whatever handlers are set up later
    (a filter on the root logger would miss records from child loggers).
    """
    create_record = logging.getLogRecordFactory()
    if isinstance(create_record, RedactingRecordFactory):
        return
    logging.setLogRecordFactory(RedactingRecordFactory(create_record))


class RedactingRecordFactory:
    """A log record factory that passes each new record through RedactPersonalData."""

    def __init__(self, create_record: Any) -> None:
        self.create_record = create_record
        self.redact = RedactPersonalData()

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.create_record(*args, **kwargs)
        self.redact.filter(record)
        return record


def sender_hash(sender_id: str) -> str:
    """A sender's id as audit lines name it: an operator holding a request can match it, a reader
    of the log learns nobody's phone number or chat id from it.
    """
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:16]
