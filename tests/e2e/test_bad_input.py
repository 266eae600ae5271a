"""Bad input at every always-on channel of a real server: refused or answered, never a crash.

A stock Rasa 3.6 server on this machine died of one 100 KB REST message (24 GB, then the OOM
killer) and raised inside Rasa on a missing or non-string message.
"""

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.facts import Content
from evaluation.support.running_assistant import RunningAssistant
from extensions.channels.common import TOO_LONG_REPLY
from extensions.channels.message_limits import MAX_MESSAGE_CHARS
from tests.support.platforms import wait_for
from tests.support.socketio_session import socketio_session

WEBHOOKS = ("/webhooks/rest/webhook", "/webhooks/widget/webhook")

# Well-formed messages of every awkward kind: each is answered and stored.
WELL_FORMED = {
    "emoji": "will I still play golf? 🏌️‍♂️⛳😟",
    "right-to-left": "كم من الوقت يستغرق التعافي؟ מה זה איחוי חוליות?",
    "html": '<script>alert("x")</script><img src=x onerror=alert(1)> what is a fusion?',
    "sql": "'; DROP TABLE events; -- how long is recovery?",
    "control characters": "what is\x00 a fusion\x07\x1b[31m?\x7f",
    "zero-width and bidi marks": "\u200b\u202ewhat is a fusion?\u202c\ufeff",
    "longest allowed": "how long is recovery? " * (MAX_MESSAGE_CHARS // 22),
}

# Bodies that are not a well-formed message, and the status each gets.
REFUSED = {
    "malformed JSON": (b'{"sender": "a", "message": ', 400),
    "empty body": (b"", 400),
    "not an object": (b'["a", "hello"]', 400),
    "missing message": (b'{"sender": "a"}', 400),
    "null message": (b'{"sender": "a", "message": null}', 400),
    "number message": (b'{"sender": "a", "message": 42}', 400),
    "list message": (b'{"sender": "a", "message": ["hi"]}', 400),
    "object message": (b'{"sender": "a", "message": {"text": "hi"}}', 400),
    "missing sender": (b'{"message": "hi"}', 400),
    "number sender": (b'{"sender": 7, "message": "hi"}', 400),
    "empty message": (b'{"sender": "a", "message": ""}', 400),
    "whitespace only": (b'{"sender": "a", "message": " \\n\\t\\u3000 "}', 400),
    "invalid UTF-8": (b'{"sender": "a", "message": "\xff\xfe\xc3("}', 400),
    "lone surrogate": (b'{"sender": "a", "message": "what is a fusion \\ud800?"}', 400),
    "one character too long": (
        json.dumps({"sender": "a", "message": "x" * (MAX_MESSAGE_CHARS + 1)}).encode(),
        413,
    ),
    "100 KB message": (json.dumps({"sender": "a", "message": "x" * 100_000}).encode(), 413),
}


def post(assistant: RunningAssistant, path: str, body: bytes) -> tuple[int, Any]:
    """Status and decoded JSON of one POST, whatever its status."""
    request = urllib.request.Request(
        f"{assistant.url}{path}", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def new_sender() -> str:
    return f"bad-input-{uuid.uuid4().hex[:12]}"


def send_as_new_sender(
    assistant: RunningAssistant, path: str, message: str
) -> tuple[str, int, Any]:
    """One well-formed message from a new conversation: its sender, status and replies."""
    sender = new_sender()
    body = json.dumps({"sender": sender, "message": message}).encode()
    return (sender, *post(assistant, path, body))


@pytest.fixture(autouse=True)
def no_traceback_in_the_log(assistant: RunningAssistant) -> Iterator[None]:
    """Whatever a test sends, neither server logs an exception, and both keep running."""
    start = assistant.log_path.stat().st_size
    yield
    with assistant.log_path.open("rb") as log:
        log.seek(start)
        logged = log.read()
    assert b"Traceback" not in logged and b" ERROR " not in logged
    assert assistant.process is not None and assistant.process.poll() is None
    assert assistant.texts(new_sender(), "what is a spinal fusion?")


def bad_request_cases() -> Iterator[Any]:
    """Every refused body at every webhook."""
    for path in WEBHOOKS:
        for name, (body, status) in REFUSED.items():
            yield pytest.param(path, body, status, id=f"{name}-{path}")


@pytest.mark.parametrize("path, body, status", bad_request_cases())
def test_bad_requests_get_a_clear_4xx_and_reach_no_conversation(
    assistant: RunningAssistant, path: str, body: bytes, status: int
) -> None:
    sender = new_sender()
    body = body.replace(b'"sender": "a"', f'"sender": "{sender}"'.encode())
    code, reply = post(assistant, path, body)
    assert code == status
    assert isinstance(reply["error"], str) and reply["error"]
    assert assistant.stored_user_texts(sender) == []


@pytest.mark.parametrize("path", WEBHOOKS)
@pytest.mark.parametrize("message", WELL_FORMED.values(), ids=WELL_FORMED.keys())
def test_awkward_but_well_formed_messages_are_answered_and_stored(
    assistant: RunningAssistant, path: str, message: str
) -> None:
    sender, code, replies = send_as_new_sender(assistant, path, message)
    assert code == 200
    assert replies and all(isinstance(reply.get("text"), str) for reply in replies)
    assert [text.strip() for text in assistant.stored_user_texts(sender)] == [message.strip()]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
PAYLOADS = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries({"message": JSON_VALUES}),
    st.fixed_dictionaries({"sender": JSON_VALUES, "message": st.text(max_size=1200)}),
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(path=st.sampled_from(WEBHOOKS), payload=PAYLOADS)
def test_any_json_gets_an_answer_or_a_4xx(
    assistant: RunningAssistant, path: str, payload: Any
) -> None:
    code, reply = post(assistant, path, json.dumps(payload).encode())
    assert code in (200, 400, 413)
    assert isinstance(reply, list) if code == 200 else reply["error"]


@SETTINGS
@given(path=st.sampled_from(WEBHOOKS), message=st.text(max_size=MAX_MESSAGE_CHARS + 50))
def test_any_text_is_answered_and_stored_unless_blank_or_too_long(
    assistant: RunningAssistant, path: str, message: str
) -> None:
    sender, code, replies = send_as_new_sender(assistant, path, message)
    if not message.strip():
        assert code == 400
    elif len(message) > MAX_MESSAGE_CHARS:
        assert code == 413
    else:
        assert code == 200 and replies
        assert [text.strip() for text in assistant.stored_user_texts(sender)] == [message.strip()]
        return
    assert assistant.stored_user_texts(sender) == []


@SETTINGS
@given(body=st.binary(max_size=300))
def test_any_bytes_get_an_answer_or_a_4xx(assistant: RunningAssistant, body: bytes) -> None:
    code, _ = post(assistant, WEBHOOKS[0], body)
    assert code in (200, 400, 413)


async def socketio_conversation(
    url: str, session_id: str, events: list[Any], expected: list[str]
) -> list[str]:
    """Emits each event's data as a user message, then a good question; the bot's texts, once
    every expected text has come.
    """
    question = {"session_id": session_id, "message": "what is a fusion?"}
    return await socketio_session(
        url, session_id, [*events, question], lambda texts: set(expected) <= set(texts)
    )


def stored_once_answered(assistant: RunningAssistant, session_id: str) -> list[str]:
    """The conversation's stored messages: Rasa stores them after the answer has gone out."""
    return wait_for(lambda: assistant.stored_user_texts(session_id), what="a stored message")


def test_socketio_ignores_malformed_events_and_keeps_the_connection(
    assistant: RunningAssistant, content: Content
) -> None:
    session_id = new_sender()
    malformed = [
        "just a string",
        ["a", "list"],
        42,
        None,
        {"session_id": session_id},
        {"session_id": session_id, "message": 42},
        {"session_id": session_id, "message": None},
        {"session_id": session_id, "message": ""},
        {"session_id": session_id, "message": " \n\t "},
        {"session_id": session_id, "message": "hi", "metadata": "{not json"},
        {"session_id": ["not", "a", "string"], "message": "hi"},
    ]
    answer = content.fact_for_intent("ask_what_is_fusion").answer
    texts = asyncio.run(socketio_conversation(assistant.url, session_id, malformed, [answer]))
    assert texts.count(answer) == 1
    assert stored_once_answered(assistant, session_id) == ["what is a fusion?"]


def test_socketio_refuses_a_100_kb_message_before_nlu(
    assistant: RunningAssistant, content: Content
) -> None:
    session_id = new_sender()
    too_long = {"session_id": session_id, "message": "x" * 100_000}
    answer = content.fact_for_intent("ask_what_is_fusion").answer
    texts = asyncio.run(
        socketio_conversation(assistant.url, session_id, [too_long], [TOO_LONG_REPLY, answer])
    )
    assert texts.count(TOO_LONG_REPLY) == 1
    assert stored_once_answered(assistant, session_id) == ["what is a fusion?"]
