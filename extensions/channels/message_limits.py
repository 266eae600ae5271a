"""Checks a chat request before anything reaches Rasa, so bad input never costs an NLU run."""

import json
from typing import Any

MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 128
# A longest message and sender, every character escaped as a JSON surrogate pair, still fits.
MAX_BODY_BYTES = 16 * 1024


class BadMessage(ValueError):
    """A request the channel refuses, with the HTTP status and a reason the client can show."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_body(body: bytes) -> Any:
    """The JSON of a request body; too large or malformed raises BadMessage."""
    if len(body) > MAX_BODY_BYTES:
        raise BadMessage(413, f"request body is larger than {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body)
    except ValueError as error:
        raise BadMessage(400, "request body is not valid JSON") from error


def validate_user_message(payload: Any) -> tuple[str, str]:
    """The sender id and the message text of a `{"sender", "message"}` payload.

    Raises BadMessage (400, or 413 for a too long message) for anything else.
    """
    if not isinstance(payload, dict):
        raise BadMessage(400, 'request body must be a JSON object with "sender" and "message"')
    sender = payload.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        raise BadMessage(400, '"sender" must be a non-empty string')
    if len(sender) > MAX_SENDER_CHARS:
        raise BadMessage(400, f'"sender" is longer than {MAX_SENDER_CHARS} characters')
    message = payload.get("message")
    if not isinstance(message, str):
        raise BadMessage(400, '"message" must be a string')
    if not message.strip():
        raise BadMessage(400, '"message" is empty')
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadMessage(413, f'"message" is longer than {MAX_MESSAGE_CHARS} characters')
    if not (is_unicode_text(sender) and is_unicode_text(message)):
        raise BadMessage(400, '"sender" and "message" must be valid Unicode text')
    return sender, message.strip()


def is_unicode_text(text: str) -> bool:
    """False for text with a lone surrogate: JSON allows "\\ud800", but spaCy raises on it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
