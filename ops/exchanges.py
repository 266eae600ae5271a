"""Pairs each stored user message with the replies it got, and says which ones the assistant
could not answer well: what the report counts and the review offers.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from actions.session import SESSION_START_INTENT
from core.emergency import RED_FLAG_KEY
from core.feedback import FEEDBACK_INTENT
from ops.store import StoredEvent

# Replies that say "I can't answer that", in one form or another (domain.yml).
REFUSALS = frozenset({"utter_cannot_answer", "utter_only_spinal_fusion", "utter_english_only"})
EMERGENCY_RESPONSES = frozenset({"utter_emergency", "utter_crisis_support"})
FALLBACK_INTENT = "nlu_fallback"
# A fact given with less confidence than this is offered for review. The FallbackClassifier
# refuses below 0.5 (config.yml); between the two the answer may well be the wrong fact.
LOW_CONFIDENCE = 0.7
# User events that are not something the patient asked.
NOT_QUESTIONS = frozenset({SESSION_START_INTENT, FEEDBACK_INTENT})


@dataclass
class Exchange:
    """One user message and the replies it got before the next one."""

    sender_id: str
    timestamp: float
    channel: str
    text: str
    intent: str | None
    confidence: float
    ranking: list[tuple[str, float]]
    entities: list[dict[str, Any]]
    red_flag: dict[str, Any] | None
    responses: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def is_message(self) -> bool:
        """Typed or clicked by the patient; not the widget's hidden session start."""
        return self.intent != SESSION_START_INTENT

    @property
    def is_question(self) -> bool:
        return self.intent not in NOT_QUESTIONS

    @property
    def refused(self) -> bool:
        return bool(REFUSALS.intersection(self.responses))

    @property
    def unanswered(self) -> bool:
        """Refused, or answered with a fact the classifier was unsure of; never an emergency
        or a button, which need no new training example."""
        if not self.is_question or self.red_flag or self.text.startswith("/"):
            return False
        unsure = self.intent == FALLBACK_INTENT or (
            bool(self.facts) and self.confidence < LOW_CONFIDENCE
        )
        return self.refused or unsure

    def entity_value(self, entity_type: str) -> Any:
        return next((e.get("value") for e in self.entities if e.get("entity") == entity_type), None)


def exchange_from(event: StoredEvent) -> Exchange:
    parse_data = event.data.get("parse_data") or {}
    intent = parse_data.get("intent") or {}
    ranking = [
        (entry["name"], float(entry.get("confidence") or 0.0))
        for entry in parse_data.get("intent_ranking") or []
        if entry.get("name") and entry["name"] != FALLBACK_INTENT
    ]
    return Exchange(
        sender_id=event.sender_id,
        timestamp=event.timestamp,
        channel=event.data.get("input_channel") or "unknown",
        text=event.data.get("text") or "",
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        ranking=ranking[:3],
        entities=parse_data.get("entities") or [],
        red_flag=parse_data.get(RED_FLAG_KEY),
    )


def exchanges(events: Iterable[StoredEvent]) -> Iterator[Exchange]:
    """The exchanges of the events, each complete once its conversation's next message (or
    the end of the events) comes; conversations interleave, so only open ones are held."""
    open_exchanges: dict[str, Exchange] = {}
    for event in events:
        if event.type_name == "user":
            if event.sender_id in open_exchanges:
                yield open_exchanges.pop(event.sender_id)
            open_exchanges[event.sender_id] = exchange_from(event)
        elif event.type_name == "bot" and event.sender_id in open_exchanges:
            exchange = open_exchanges[event.sender_id]
            metadata = event.data.get("metadata") or {}
            if metadata.get("utter_action"):
                exchange.responses.append(metadata["utter_action"])
            if metadata.get("fact_id"):
                exchange.facts.append(metadata["fact_id"])
    yield from open_exchanges.values()
