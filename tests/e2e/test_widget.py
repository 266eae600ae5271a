"""The widget's channel on a real Rasa server: its webhook, its limits, its files and demo page."""

import json
import sqlite3
import urllib.error
import urllib.request
import uuid
from http.client import HTTPMessage
from typing import Any

import pytest

from core.facts import Content
from core.paths import WIDGET_DIR
from evaluation.support.running_assistant import RunningAssistant
from extensions.channels.message_limits import MAX_BODY_BYTES, MAX_MESSAGE_CHARS, MAX_SENDER_CHARS
from extensions.channels.widget import FOREIGN_PAGE_ERROR, STATIC_FILES
from tests.conftest import LISTED_SITES


def new_sender() -> str:
    return f"widget-{uuid.uuid4().hex[:12]}"


def request(
    url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, HTTPMessage, bytes]:
    """Status, headers and body of one request, whatever its status."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=body, headers=headers or {}), timeout=30
        ) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def post(assistant: RunningAssistant, payload: Any, **headers: str) -> tuple[int, Any]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    status, _, content = request(f"{assistant.url}/webhooks/widget/webhook", body, headers)
    return status, json.loads(content)


def events_of(assistant: RunningAssistant, sender: str) -> int:
    """How many events the tracker store holds for a sender: none means Rasa never saw it."""
    with sqlite3.connect(assistant.workdir / "conversations.sqlite") as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[
            0
        ]


def test_health(assistant: RunningAssistant) -> None:
    status, _, body = request(f"{assistant.url}/webhooks/widget/")
    assert (status, json.loads(body)) == (200, {"status": "ok"})


def test_a_new_conversation_opens_with_the_disclaimer(
    assistant: RunningAssistant, content: Content
) -> None:
    sender = new_sender()
    status, replies = post(assistant, {"sender": sender, "message": "/session_start"})
    assert status == 200
    assert [reply["text"] for reply in replies] == [content.disclaimer]
    assert events_of(assistant, sender) > 0


def test_a_question_gets_its_fact_and_buttons_come_as_title_and_payload(
    assistant: RunningAssistant, content: Content
) -> None:
    sender = new_sender()
    _, replies = post(assistant, {"sender": sender, "message": "will a fusion limit my movement?"})
    assert content.fact_for_intent("ask_mobility").answer in [reply["text"] for reply in replies]
    _, replies = post(assistant, {"sender": sender, "message": "what can you do?"})
    buttons = [button for reply in replies for button in reply.get("buttons", [])]
    assert {"title": "How long is recovery?", "payload": "/ask_recovery_time"} in buttons


def test_the_longest_allowed_message_is_answered(assistant: RunningAssistant) -> None:
    status, replies = post(assistant, {"sender": new_sender(), "message": "a" * MAX_MESSAGE_CHARS})
    assert status == 200 and replies


@pytest.mark.parametrize(
    "payload, status, error",
    [
        (b"{not json", 400, "request body is not valid JSON"),
        (b"", 400, "request body is not valid JSON"),
        ([{"sender": "a", "message": "hi"}], 400, "must be a JSON object"),
        ({"message": "hi"}, 400, '"sender" must be a non-empty string'),
        ({"sender": 7, "message": "hi"}, 400, '"sender" must be a non-empty string'),
        ({"sender": "s" * (MAX_SENDER_CHARS + 1), "message": "hi"}, 400, '"sender" is longer'),
        ({"sender": "SENDER"}, 400, '"message" must be a string'),
        ({"sender": "SENDER", "message": 12}, 400, '"message" must be a string'),
        ({"sender": "SENDER", "message": ""}, 400, '"message" is empty'),
        ({"sender": "SENDER", "message": "  \n "}, 400, '"message" is empty'),
        ({"sender": "SENDER", "message": "m" * (MAX_MESSAGE_CHARS + 1)}, 413, '"message" is'),
        (b" " * (MAX_BODY_BYTES + 1), 413, "request body is larger"),
    ],
)
def test_bad_input_is_refused_before_it_reaches_rasa(
    assistant: RunningAssistant, payload: Any, status: int, error: str
) -> None:
    sender = new_sender()
    if isinstance(payload, dict) and payload.get("sender") == "SENDER":
        payload = {**payload, "sender": sender}
    got_status, body = post(assistant, payload)
    assert got_status == status
    assert set(body) == {"error"} and error in body["error"]
    assert events_of(assistant, sender) == 0


def from_page_of(assistant: RunningAssistant, origin: str) -> tuple[int, HTTPMessage, Any]:
    """A message as the widget on a page of `origin` posts it: status, headers, JSON body."""
    body = json.dumps({"sender": new_sender(), "message": "hello"}).encode()
    status, headers, answer = request(
        f"{assistant.url}/webhooks/widget/webhook",
        body,
        {"Origin": origin, "Content-Type": "text/plain;charset=UTF-8"},
    )
    return status, headers, json.loads(answer)


def test_a_page_of_a_listed_site_may_read_the_answers(assistant: RunningAssistant) -> None:
    status, headers, _ = from_page_of(assistant, LISTED_SITES[0])
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == LISTED_SITES[0]


def test_the_assistants_own_pages_are_answered_and_any_other_site_is_refused(
    assistant: RunningAssistant,
) -> None:
    """credentials.yml lists no site: past the ones the tests add, only the server's own."""
    assert from_page_of(assistant, assistant.url)[0] == 200
    status, headers, answer = from_page_of(assistant, "https://copied-snippet.example")
    assert status == 403
    assert answer == {"error": FOREIGN_PAGE_ERROR}
    assert headers["Access-Control-Allow-Origin"] == "https://copied-snippet.example"


@pytest.mark.parametrize("filename", sorted(STATIC_FILES))
def test_the_widget_files_are_served_with_their_content_type(
    assistant: RunningAssistant, filename: str
) -> None:
    status, headers, body = request(f"{assistant.url}/webhooks/widget/static/{filename}")
    assert status == 200
    assert headers["Content-Type"] == STATIC_FILES[filename]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert body == (WIDGET_DIR / filename).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "demo.html",
        "message_limits.py",
        "../credentials.yml",
        "..%2F..%2Fcredentials.yml",
        "%2e%2e/%2e%2e/credentials.yml",
        "%2Fetc%2Fpasswd",
        "widget.js%00.css",
        "WIDGET.JS",
    ],
)
def test_static_refuses_anything_but_the_widget_files(
    assistant: RunningAssistant, path: str
) -> None:
    status, _, body = request(f"{assistant.url}/webhooks/widget/static/{path}")
    assert status == 404
    assert b"allowed_origins" not in body and b"root:" not in body


def test_the_demo_page_embeds_the_widget_under_a_strict_content_security_policy(
    assistant: RunningAssistant,
) -> None:
    status, headers, body = request(f"{assistant.url}/webhooks/widget/demo")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert b'src="/webhooks/widget/static/widget.js"' in body
    assert b"<script>" not in body and b"<style" not in body and b" style=" not in body
