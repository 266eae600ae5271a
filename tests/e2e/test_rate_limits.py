"""Rate limits on a real server: a flood is refused before Rasa, others are answered as usual."""

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from core.facts import Content
from evaluation.support.running_assistant import RunningAssistant
from extensions.channels.rate_limits import WAIT_REPLY
from tests.support.socketio_session import socketio_session

BURST = 3
# One message every 5 s after the burst: slow enough that a flood stays over the limit for
# the test, quick enough that waiting for the window is short.
INTERVAL = 5
LIMITS = {
    "RATE_LIMIT_SENDER_PER_MINUTE": str(60 // INTERVAL),
    "RATE_LIMIT_SENDER_BURST": str(BURST),
    "RATE_LIMIT_ADDRESS_PER_MINUTE": "0",
}
FLOOD = 12
RED_FLAG = "sorry to write again but I can't control my bladder since this morning"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> RunningAssistant:
    running = RunningAssistant(tmp_path_factory.mktemp("limited"), env=LIMITS).start()
    yield running
    running.stop()


def post(
    url: str, sender: str, message: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    """Status, headers and JSON body of one message, refusals included."""
    request = urllib.request.Request(
        url, data=json.dumps({"sender": sender, "message": message}).encode(), headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def flood(url: str, sender: str) -> list[tuple[int, dict[str, str], Any]]:
    """FLOOD messages at once from one sender, each with its own text."""
    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(
            pool.map(lambda n: post(url, sender, f"what is a spinal fusion? ({n})"), range(FLOOD))
        )


@pytest.mark.parametrize("channel", ["rest", "widget"])
def test_a_flood_is_refused_after_the_burst_while_another_sender_is_answered(
    limited: RunningAssistant, content: Content, channel: str
) -> None:
    url = f"{limited.url}/webhooks/{channel}/webhook"
    flooder, patient = f"flood-{uuid.uuid4().hex[:8]}", f"patient-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=1) as other:
        answered = other.submit(post, url, patient, "how long is the recovery?")
        results = flood(url, flooder)
        status, _, replies = answered.result()
    assert status == 200
    assert content.fact_for_intent("ask_recovery_time").answer in [r["text"] for r in replies]
    refused = [(headers, body) for status, headers, body in results if status == 429]
    accepted = [body for status, _, body in results if status == 200]
    assert len(refused) + len(accepted) == FLOOD
    assert BURST <= len(accepted) <= BURST + 1
    assert all(body == {"error": body["error"]} and body["error"] for _, body in refused)
    assert all(1 <= int(headers["Retry-After"]) <= INTERVAL for headers, _ in refused)


def test_refused_messages_are_not_stored_and_after_the_window_the_sender_is_answered(
    limited: RunningAssistant, content: Content
) -> None:
    url = f"{limited.url}/webhooks/rest/webhook"
    sender = f"flood-{uuid.uuid4().hex[:8]}"
    limited.send(sender, "/session_start")
    results = flood(url, sender)
    sent = [f"what is a spinal fusion? ({n})" for n in range(FLOOD)]
    accepted = {text for text, (status, _, _) in zip(sent, results, strict=True) if status == 200}
    assert accepted != set(sent)
    assert set(limited.stored_user_texts(sender)) - {"/session_start"} == accepted
    retry_after = max(int(headers.get("Retry-After", 0)) for _, headers, _ in results)
    time.sleep(retry_after)
    status, _, replies = post(url, sender, "how long is the recovery?")
    assert status == 200
    assert content.fact_for_intent("ask_recovery_time").answer in [r["text"] for r in replies]


@pytest.mark.parametrize("channel", ["rest", "widget"])
def test_a_red_flag_over_the_limit_still_gets_the_emergency_guidance(
    limited: RunningAssistant, content: Content, channel: str
) -> None:
    url = f"{limited.url}/webhooks/{channel}/webhook"
    sender = f"flood-{uuid.uuid4().hex[:8]}"
    results = flood(url, sender)
    assert any(status == 429 for status, _, _ in results)
    status, _, replies = post(url, sender, RED_FLAG)
    assert status == 200
    assert [reply["text"] for reply in replies] == [content.emergency["red_flag"]]
    assert RED_FLAG not in limited.stored_user_texts(sender)


def test_a_socketio_flood_gets_one_polite_reply_and_a_red_flag_its_guidance(
    limited: RunningAssistant, content: Content
) -> None:
    question = "what is a spinal fusion?"
    answer = content.fact_for_intent("ask_what_is_fusion").answer
    replies = {answer, WAIT_REPLY, content.emergency["red_flag"]}
    session_id = uuid.uuid4().hex
    messages = [{"session_id": session_id, "message": m} for m in [question] * FLOOD + [RED_FLAG]]
    texts = asyncio.run(
        socketio_session(
            limited.url,
            session_id,
            messages,
            lambda texts: texts.count(answer) >= BURST and replies <= set(texts),
        )
    )
    assert texts.count(answer) == BURST
    assert texts.count(WAIT_REPLY) == 1
    assert texts.count(content.emergency["red_flag"]) == 1
