"""Every kind of bad chat request is refused with its status and a reason, good ones pass."""

import json
from typing import Any

import pytest

from extensions.channels.message_limits import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    BadMessage,
    parse_body,
    validate_user_message,
)


def refusal(payload: Any) -> BadMessage:
    with pytest.raises(BadMessage) as raised:
        validate_user_message(payload)
    return raised.value


def test_a_good_message_gives_sender_and_text_without_surrounding_space() -> None:
    assert validate_user_message({"sender": "web-1", "message": "  do I need it?\n"}) == (
        "web-1",
        "do I need it?",
    )


def test_the_longest_allowed_message_and_sender_pass() -> None:
    sender, text = validate_user_message(
        {"sender": "s" * MAX_SENDER_CHARS, "message": "m" * MAX_MESSAGE_CHARS}
    )
    assert len(sender) == MAX_SENDER_CHARS and len(text) == MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    "payload, reason",
    [
        (["a list"], "JSON object"),
        ("text", "JSON object"),
        (None, "JSON object"),
        ({"message": "hi"}, '"sender" must be a non-empty string'),
        ({"sender": 42, "message": "hi"}, '"sender" must be a non-empty string'),
        ({"sender": None, "message": "hi"}, '"sender" must be a non-empty string'),
        ({"sender": "  ", "message": "hi"}, '"sender" must be a non-empty string'),
        ({"sender": "s" * (MAX_SENDER_CHARS + 1), "message": "hi"}, '"sender" is longer'),
        ({"sender": "web-1"}, '"message" must be a string'),
        ({"sender": "web-1", "message": {"text": "hi"}}, '"message" must be a string'),
        ({"sender": "web-1", "message": ""}, '"message" is empty'),
        ({"sender": "web-1", "message": " \n\t "}, '"message" is empty'),
    ],
)
def test_bad_requests_are_refused_with_400(payload: Any, reason: str) -> None:
    error = refusal(payload)
    assert error.status == 400
    assert reason in error.reason


def test_a_too_long_message_is_refused_with_413() -> None:
    error = refusal({"sender": "web-1", "message": "m" * (MAX_MESSAGE_CHARS + 1)})
    assert error.status == 413
    assert error.reason == f'"message" is longer than {MAX_MESSAGE_CHARS} characters'


def test_the_body_is_parsed_as_json_whatever_its_content_type() -> None:
    assert parse_body(b'{"sender": "web-1", "message": "hi"}') == {
        "sender": "web-1",
        "message": "hi",
    }


@pytest.mark.parametrize("body", [b"", b"{not json", b'{"sender": "a",}', b"\xff\xfe"])
def test_malformed_json_is_refused_with_400(body: bytes) -> None:
    with pytest.raises(BadMessage) as raised:
        parse_body(body)
    assert (raised.value.status, raised.value.reason) == (400, "request body is not valid JSON")


def test_a_body_too_large_for_any_valid_message_is_refused_with_413() -> None:
    with pytest.raises(BadMessage) as raised:
        parse_body(b" " * (MAX_BODY_BYTES + 1))
    assert raised.value.status == 413


def test_the_body_limit_leaves_room_for_the_longest_escaped_message() -> None:
    escaped = json.dumps(
        {"sender": "\U0001f600" * MAX_SENDER_CHARS, "message": "\U0001f600" * MAX_MESSAGE_CHARS}
    )
    assert len(escaped.encode()) <= MAX_BODY_BYTES


def test_a_lone_surrogate_is_refused_before_nlu() -> None:
    with pytest.raises(BadMessage) as error:
        validate_user_message({"sender": "a", "message": "what is a fusion \ud800?"})
    assert error.value.status == 400
