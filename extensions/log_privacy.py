"""Redacts e-mail addresses and phone numbers from every log record, before any handler sees it.

People write their contact details into health questions; the logs must not keep them. Installed
by extensions/rasa_server.py (Rasa server) and actions/logging_privacy.py (action server).
"""

import logging
import re
from typing import Any

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven or more digits, maybe with +, spaces, dots, dashes or brackets between them, but not a
# fraction such as a confidence of 0.9876543. Other long numbers (timestamps, dates) are redacted
# too: better too much than a phone number kept.
PHONE = re.compile(r"(?<![\w.])\+?\(?(?!\d\.)\d(?:[\s().-]{0,2}\d){6,}(?!\w)")


def redact(text: str) -> str:
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))


class RedactPersonalData(logging.Filter):
    """Replaces the record's message with its redacted text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
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
