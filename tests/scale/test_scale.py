"""Two Rasa replicas behind nginx, sharing PostgreSQL and a Redis lock: `make test-scale`.

Left out of `make test`: it needs root and Debian's postgresql, redis-server and nginx.
"""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from core.facts import Content
from evaluation.support.operator_conversations import EMAIL, EMERGENCY_CATEGORY, seed
from evaluation.support.running_assistant import post_json
from ops import report
from ops.exchanges import exchanges
from ops.retention import tracker_store
from ops.store import stored_events as events_since
from tests.scale.stack import ScaleStack

CONCURRENT_MESSAGES = 12
# Rasa's own Redis lock store lost a message in one of two such conversations.
CONCURRENT_CONVERSATIONS = 3
# Well beyond the 20 turns the tracker store loads for each message (endpoints.yml).
LONG_CONVERSATION_TURNS = 60


@pytest.fixture(scope="module")
def stack() -> ScaleStack:
    running = ScaleStack().start()
    yield running
    running.stop()


def texts(url: str, sender: str, message: str) -> list[str]:
    replies = post_json(f"{url}/webhooks/rest/webhook", {"sender": sender, "message": message})
    return [reply.get("text", "") for reply in replies]


def stored_events(stack: ScaleStack, sender: str) -> list[tuple[str, dict]]:
    """The type and data of a conversation's events in PostgreSQL, in order."""
    engine = sa.create_engine(stack.db_url)
    with engine.connect() as db:
        rows = db.execute(
            sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": sender},
        ).fetchall()
    engine.dispose()
    return [(type_name, json.loads(data)) for type_name, data in rows]


def new_sender() -> str:
    return f"scale-{uuid.uuid4().hex[:12]}"


def new_conversation(url: str) -> str:
    """A sender whose conversation is opened, so its disclaimer is already said."""
    sender = new_sender()
    texts(url, sender, "/session_start")
    return sender


def test_a_conversation_keeps_its_context_across_replicas(
    stack: ScaleStack, content: Content
) -> None:
    first, second = stack.replica_url("a"), stack.replica_url("b")
    sender = new_conversation(second)
    recovery = content.facts_in_topic("recovery")
    assert texts(first, sender, "how long is the recovery")[0] == recovery[0].answer
    assert texts(second, sender, "tell me more")[0] == recovery[1].answer
    assert texts(first, sender, "tell me more")[0] == recovery[2].answer


def test_a_long_conversation_keeps_its_topic_and_every_event_across_replicas(
    stack: ScaleStack, content: Content
) -> None:
    """Longer than the turns the tracker store loads (recent_turns), alternating replicas."""
    replicas = [stack.replica_url("a"), stack.replica_url("b")]
    sender = new_conversation(replicas[0])
    recovery = content.facts_in_topic("recovery")
    assert texts(replicas[1], sender, "how long is the recovery")[0] == recovery[0].answer
    for number in range(LONG_CONVERSATION_TURNS):
        assert texts(replicas[number % 2], sender, "thanks")
    assert texts(replicas[0], sender, "tell me more")[0] == recovery[1].answer
    user_events = [data for type_name, data in stored_events(stack, sender) if type_name == "user"]
    assert len(user_events) == 1 + 1 + LONG_CONVERSATION_TURNS + 1


@pytest.mark.parametrize("attempt", range(CONCURRENT_CONVERSATIONS))
def test_concurrent_messages_of_one_conversation_are_handled_one_at_a_time(
    stack: ScaleStack, attempt: int
) -> None:
    sender = new_sender()
    messages = [f"what is a spinal fusion? ({number})" for number in range(CONCURRENT_MESSAGES)]
    with ThreadPoolExecutor(max_workers=CONCURRENT_MESSAGES) as pool:
        answers = list(pool.map(lambda message: texts(stack.url, sender, message), messages))
    assert all(answers)
    events = stored_events(stack, sender)
    user_texts = [data["text"] for type_name, data in events if type_name == "user"]
    assert sorted(user_texts) == sorted(messages)
    # Handled one at a time: each user message is followed by its answer, then a listen.
    kinds = [
        "user" if type_name == "user" else data.get("name")
        for type_name, data in events
        if type_name == "user" or data.get("name") == "action_listen"
    ]
    assert kinds[-2 * CONCURRENT_MESSAGES :] == ["user", "action_listen"] * CONCURRENT_MESSAGES


def test_the_service_survives_a_replica_being_killed(stack: ScaleStack, content: Content) -> None:
    sender = new_conversation(stack.url)
    recovery = content.facts_in_topic("recovery")
    assert texts(stack.url, sender, "how long is the recovery")[0] == recovery[0].answer
    stack.kill("a")
    try:
        for _ in range(6):
            assert texts(stack.url, new_sender(), "what is a spinal fusion?")
        assert texts(stack.url, sender, "tell me more")[0] == recovery[1].answer
    finally:
        stack.revive("a")


def test_an_unreachable_tracker_store_is_logged_answered_and_recovered_without_a_restart(
    stack: ScaleStack, content: Content
) -> None:
    """Rasa's fail-safe tracker store answers from memory while PostgreSQL is down."""
    answer = content.fact_for_intent("ask_what_is_fusion").answer
    stack.stop_postgres()
    try:
        assert answer in texts(stack.url, new_sender(), "what is a spinal fusion?")
        logs = "".join(path.read_text() for path in stack.root.glob("[ab].log"))
        assert "Falling back to use the 'InMemoryTrackerStore'" in logs
    finally:
        stack.run_postgres()
    # Connections the pools kept from before the outage are checked on checkout and replaced,
    # so each replica stores the very first message after it.
    for replica in ("a", "b"):
        sender = new_sender()
        texts(stack.replica_url(replica), sender, "what is a spinal fusion?")
        assert any(kind == "user" for kind, _ in stored_events(stack, sender)), replica


def test_the_operator_report_reads_postgresql_in_batches(
    stack: ScaleStack, content: Content, tmp_path
) -> None:
    """Other tests share the store, so the figures are checked on this test's conversations."""
    webhook = f"{stack.url}/webhooks/rest/webhook"
    sent = seed(
        lambda sender, message: post_json(webhook, {"sender": sender, "message": message}), content
    )
    endpoints = str(stack.root / "endpoints.yml")
    events = events_since(tracker_store(endpoints), since=0, batch_size=50)
    ours = (event for event in events if event.sender_id in sent.senders)
    figures = report.count(exchanges(ours), days=1, show_text=True)
    assert figures.conversations == len(sent.senders)
    assert figures.messages == sent.messages
    assert figures.facts == dict(sent.facts)
    assert figures.feedback == sent.feedback
    assert figures.emergencies == {EMERGENCY_CATEGORY: 1}
    assert sum(day["refused"] for day in figures.questions_per_day.values()) == sent.refused

    report.main(["--endpoints", endpoints, "--out", str(tmp_path)])
    page = (tmp_path / "index.html").read_text()
    assert "[email]" in page and EMAIL not in page


def test_a_deletion_on_one_replica_is_seen_by_the_other(
    stack: ScaleStack, content: Content
) -> None:
    """Replica b holds the conversation's window in memory; replica a deletes the conversation;
    b's next message must start afresh, not write the deleted window back.
    """
    first, second = stack.replica_url("a"), stack.replica_url("b")
    sender, other = new_conversation(second), new_conversation(second)
    texts(second, other, "how long is the recovery")
    others = stored_events(stack, other)
    texts(second, sender, "how long is the recovery")
    assert "Reply YES" in texts(second, sender, "please delete my conversation")[0]
    assert "deleted this conversation" in texts(first, sender, "yes")[0]
    assert stored_events(stack, sender) == []
    assert stored_events(stack, other) == others
    assert texts(second, sender, "tell me more")[0] == content.disclaimer
    stored_texts = [
        data.get("text") for kind, data in stored_events(stack, sender) if kind == "user"
    ]
    assert stored_texts == ["tell me more"]
