"""50 conversations at once, 20 messages each, through the REST webhook of a real server.

Bounded and on loopback. It asserts correctness only (every message answered, every user
event stored once, in order); the figures are printed (`pytest -s tests/e2e/test_load.py`).
"""

import json
import sqlite3
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from evaluation.support.running_assistant import RunningAssistant

CONVERSATIONS = 50
MESSAGES_PER_CONVERSATION = 20
QUESTIONS = [
    "hi",
    "what is a spinal fusion?",
    "do I really need a fusion?",
    "what else can I try before surgery?",
    "will a fusion limit my movement?",
    "can I still play golf after it?",
    "how long does recovery take?",
    "tell me more",
    "will I need a brace?",
    "tell me more",
    "how much does it cost?",
    "should I get the surgery?",
    "where can I find a doctor?",
    "are you a bot?",
    "what can you do?",
    "how long off work after a fusion?",
    "physical therapy after fusion?",
    "asdf qwerty",
    "thanks",
    "bye",
]


@pytest.fixture(scope="module")
def loaded_assistant(tmp_path_factory: pytest.TempPathFactory) -> RunningAssistant:
    """Servers of their own, so that their tracker store holds only this test's conversations."""
    running = RunningAssistant(Path(tmp_path_factory.mktemp("load"))).start()
    yield running
    running.stop()


def converse(assistant: RunningAssistant, sender: str) -> list[float]:
    """One user's conversation, a message after each answer; the latency of every message."""
    latencies = []
    for question in QUESTIONS[:MESSAGES_PER_CONVERSATION]:
        start = time.monotonic()
        replies = assistant.send(sender, question)
        latencies.append(time.monotonic() - start)
        assert replies and all(reply.get("text") for reply in replies), (sender, question)
    return latencies


def stored_user_texts(assistant: RunningAssistant) -> dict[str, list[str]]:
    with sqlite3.connect(assistant.workdir / "conversations.sqlite") as db:
        rows = db.execute(
            "SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id"
        ).fetchall()
    texts: dict[str, list[str]] = {}
    for sender, data in rows:
        texts.setdefault(sender, []).append(json.loads(data)["text"])
    return texts


def test_concurrent_conversations_are_all_answered_and_stored(
    loaded_assistant: RunningAssistant,
) -> None:
    senders = [f"load-{uuid.uuid4().hex[:12]}" for _ in range(CONVERSATIONS)]
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        latencies = [
            latency
            for conversation in pool.map(lambda s: converse(loaded_assistant, s), senders)
            for latency in conversation
        ]
    duration = time.monotonic() - start

    total = CONVERSATIONS * MESSAGES_PER_CONVERSATION
    print(
        f"\n{CONVERSATIONS} conversations x {MESSAGES_PER_CONVERSATION} messages = {total} "
        f"messages in {duration:.1f} s: {total / duration:.1f} messages/s; latency median "
        f"{statistics.median(latencies) * 1000:.0f} ms, 95th percentile "
        f"{statistics.quantiles(latencies, n=20)[-1] * 1000:.0f} ms, max "
        f"{max(latencies) * 1000:.0f} ms"
    )
    assert len(latencies) == total
    expected = QUESTIONS[:MESSAGES_PER_CONVERSATION]
    assert stored_user_texts(loaded_assistant) == {sender: expected for sender in senders}
