"""Conversations for the operator report's tests, sent to a running assistant, and the figures
the report must show for them, worked out from the replies the assistant gave."""

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.facts import Content

Send = Callable[[str, str], list[dict[str, Any]]]
EMAIL = "jane.doe@example.org"
PHONE = "+44 20 7946 0958"
# Each conversation: messages, or ("Yes" / "No", n) to click a button of the n-th message's reply.
CONVERSATIONS: list[list[Any]] = [
    [
        "what exactly is a spinal fusion?",
        "no",
        ("No", 0),
        "how long does recovery take after a spinal fusion?",
        ("Yes", 3),
    ],
    [
        "how much does a spinal fusion cost with my insurance?",
        f"can you email me at {EMAIL} or call {PHONE} about what the surgery costs",
        "how much will the operation cost me?",
    ],
    ["I can't control my bladder since this morning"],
]
EMERGENCY_CATEGORY = "bladder_bowel"
REFUSALS = ("I can't answer that", "I only have information about spinal fusion")


@dataclass
class Sent:
    """What was sent, and what the report must count for it."""

    senders: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    messages: int = 0
    questions: int = 0
    refused: int = 0
    facts: Counter[str] = field(default_factory=Counter)
    feedback: dict[str, dict[str, int]] = field(default_factory=dict)
    emergencies: int = 0


def feedback_button(replies: list[dict[str, Any]], title: str) -> dict[str, str]:
    buttons = [b for reply in replies for b in reply.get("buttons") or [] if b["title"] == title]
    assert len(buttons) == 1, replies
    return buttons[0]


def seed(send: Send, content: Content, prefix: str = "report") -> Sent:
    """Have the conversations with the assistant; what the report must find."""
    sent = Sent()
    answers = {fact.answer: fact.id for fact in content.facts}
    for conversation in CONVERSATIONS:
        sender = f"{prefix}-{uuid.uuid4().hex[:12]}"
        sent.senders.append(sender)
        send(sender, "/session_start")
        replies_of: list[list[dict[str, Any]]] = []
        for step in conversation:
            if isinstance(step, tuple):
                title, answered = step
                button = feedback_button(replies_of[answered], title)
                fact = answers[
                    next(r["text"] for r in replies_of[answered] if r["text"] in answers)
                ]
                verdict = "helpful" if title == "Yes" else "not_helpful"
                sent.feedback.setdefault(fact, {})[verdict] = 1
                replies = send(sender, button["payload"])
                assert any("Thank you for letting me know" in r["text"] for r in replies)
            else:
                replies = send(sender, step)
                texts = [reply.get("text", "") for reply in replies]
                assert not any(text.startswith("Thank you for letting me know") for text in texts)
                sent.texts.append(step)
                sent.questions += 1
                sent.refused += any(mark in text for text in texts for mark in REFUSALS)
                sent.facts.update(answers[text] for text in texts if text in answers)
                sent.emergencies += content.emergency["red_flag"] in texts
            sent.messages += 1
            replies_of.append(replies)
    return sent
