"""Loads and validates data/facts.yml, the only source of the assistant's medical claims."""

import contextlib
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from core.emergency import EMERGENCY_KINDS
from core.paths import FACTS_PATH

TOPICS = ("procedure", "options", "mobility", "recovery")
FACT_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# A fact's subject titles its feedback buttons, "The brace: yes", and Messenger shows at most
# 20 characters of a button's title.
MAX_SUBJECT_CHARS = 15
# Each entry's provenance: what it restates, who checked it against that, when, and when next.
REVIEW_FIELDS = ("source", "reviewed_by", "reviewed_on", "review_due")
# Hex digits of an answer's hash kept as its version: enough to tell a file's edits apart.
VERSION_CHARS = 12


def content_version(text: str) -> str:
    """A short hash of an answer's text, stored with each reply so the exact wording said can be
    found again after the file is edited.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:VERSION_CHARS]


class FactsFileError(ValueError):
    """The facts file is unusable; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Review:
    """Who checked an entry of the facts file against its source, and when it is due again."""

    kind: str  # "fact" or "emergency"
    entry_id: str
    source: str
    reviewed_by: str
    reviewed_on: date
    review_due: date
    version: str

    def overdue(self, today: date) -> bool:
        return self.review_due < today


@dataclass(frozen=True)
class Fact:
    id: str
    topic: str
    # What the answer is about, in a patient's words: "The brace".
    subject: str
    intents: tuple[str, ...]
    answer: str
    review: Review

    @property
    def version(self) -> str:
        return self.review.version


@dataclass(frozen=True)
class Provider:
    name: str
    url: str
    phone: str

    def contact(self) -> str:
        """One line naming the provider, its address and, when set, its phone number."""
        details = [self.url] + ([f"phone {self.phone}"] if self.phone else [])
        return f"{self.name} ({', '.join(details)})"


@dataclass(frozen=True)
class Content:
    facts: tuple[Fact, ...]
    provider: Provider
    emergency: dict[str, str]
    emergency_reviews: dict[str, Review]
    disclaimer: str

    def fact_for_intent(self, intent: str | None) -> Fact | None:
        """The fact that answers an intent, or None when no reviewed fact does."""
        return next((fact for fact in self.facts if intent in fact.intents), None)

    def facts_in_topic(self, topic: str | None) -> list[Fact]:
        """The topic's facts in the order the file gives them."""
        return [fact for fact in self.facts if fact.topic == topic]

    def reviews(self, today: date) -> list[Review]:
        """Every entry's review, overdue ones first, then by due date."""
        entries = [fact.review for fact in self.facts] + list(self.emergency_reviews.values())
        return sorted(entries, key=lambda review: (not review.overdue(today), review.review_due))

    def warn_overdue(self, logger: logging.Logger, today: date | None = None) -> None:
        """One warning per entry past its review date: servers still start, operators see it."""
        today = today or date.today()
        for review in self.reviews(today):
            if review.overdue(today):
                logger.warning(
                    "Facts file: %s '%s' was due for review on %s (last reviewed on %s by %s)",
                    review.kind,
                    review.entry_id,
                    review.review_due.isoformat(),
                    review.reviewed_on.isoformat(),
                    review.reviewed_by,
                )

    def response_variables(self) -> dict[str, str]:
        """Values that domain responses may use as {placeholders}."""
        return {
            "provider_name": self.provider.name,
            "provider_url": self.provider.url,
            "provider_contact": self.provider.contact(),
            "disclaimer": self.disclaimer,
            **{f"emergency_{entry_id}": answer for entry_id, answer in self.emergency.items()},
        }


def load_content(path: Path = FACTS_PATH) -> Content:
    """Read and validate the facts file; any problem raises FactsFileError."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise FactsFileError(f"{path}: cannot be read ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise FactsFileError(f"{path}: is not valid YAML ({error})") from error
    return parse_content(raw, str(path))


def parse_content(raw: Any, source: str) -> Content:
    """Validate the parsed YAML of a facts file, `source` naming it in errors."""
    if not isinstance(raw, dict):
        raise FactsFileError(f"{source}: must be a mapping with 'facts' and 'provider'")
    facts_raw = raw.get("facts")
    if not isinstance(facts_raw, list) or not facts_raw:
        raise FactsFileError(f"{source}: 'facts' must be a non-empty list")
    facts = tuple(_parse_fact(entry, index, source) for index, entry in enumerate(facts_raw))
    _check_unique(facts, source)
    missing_topics = [topic for topic in TOPICS if not any(fact.topic == topic for fact in facts)]
    if missing_topics:
        raise FactsFileError(f"{source}: no fact for topic(s) {', '.join(missing_topics)}")
    disclaimer = raw.get("disclaimer")
    if not _is_text(disclaimer):
        raise FactsFileError(f"{source}: 'disclaimer' must be non-empty text")
    emergency, emergency_reviews = _parse_emergency(raw.get("emergency"), source)
    return Content(
        facts=facts,
        provider=_parse_provider(raw.get("provider"), source),
        emergency=emergency,
        emergency_reviews=emergency_reviews,
        disclaimer=_one_paragraph(disclaimer),
    )


def _parse_fact(entry: Any, index: int, source: str) -> Fact:
    if not isinstance(entry, dict):
        raise FactsFileError(f"{source}: fact #{index + 1} must be a mapping")
    fact_id = entry.get("id")
    if not isinstance(fact_id, str) or not FACT_ID_PATTERN.match(fact_id):
        raise FactsFileError(
            f"{source}: fact #{index + 1}, field 'id': must be lower_snake_case text"
        )
    where = f"{source}: fact '{fact_id}'"
    topic = entry.get("topic")
    if topic not in TOPICS:
        raise FactsFileError(f"{where}, field 'topic': must be one of {', '.join(TOPICS)}")
    subject = entry.get("subject")
    if not _is_text(subject) or len(_one_paragraph(subject)) > MAX_SUBJECT_CHARS:
        raise FactsFileError(
            f"{where}, field 'subject': must be text of at most {MAX_SUBJECT_CHARS} characters"
        )
    intents = entry.get("intents")
    if not isinstance(intents, list) or not intents or not all(_is_text(i) for i in intents):
        raise FactsFileError(f"{where}, field 'intents': must be a non-empty list of intent names")
    if not _is_text(entry.get("answer")):
        raise FactsFileError(f"{where}, field 'answer': must be non-empty text")
    answer = _one_paragraph(entry["answer"])
    return Fact(
        id=fact_id,
        topic=topic,
        subject=_one_paragraph(subject),
        intents=tuple(intents),
        answer=answer,
        review=_parse_review(entry, "fact", fact_id, answer, where),
    )


def _parse_review(entry: dict, kind: str, entry_id: str, answer: str, where: str) -> Review:
    """The entry's review fields: who and what are text, the dates ISO dates, due after done."""
    for field in ("source", "reviewed_by"):
        if not _is_text(entry.get(field)):
            raise FactsFileError(f"{where}, field '{field}': must be non-empty text")
    reviewed_on, review_due = (_iso_date(entry.get(f), f, where) for f in REVIEW_FIELDS[2:])
    if review_due <= reviewed_on:
        raise FactsFileError(f"{where}, field 'review_due': must be after reviewed_on")
    return Review(
        kind=kind,
        entry_id=entry_id,
        source=entry["source"].strip(),
        reviewed_by=_one_paragraph(entry["reviewed_by"]),
        reviewed_on=reviewed_on,
        review_due=review_due,
        version=content_version(answer),
    )


def _iso_date(value: Any, field: str, where: str) -> date:
    """YAML reads an unquoted 2026-12-03 as a date; a quoted one must still be that shape."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value.strip())
    raise FactsFileError(f"{where}, field '{field}': must be a date as YYYY-MM-DD, not {value!r}")


def _check_unique(facts: tuple[Fact, ...], source: str) -> None:
    """Ids, intents and subjects once each: one reply's feedback buttons must tell its facts
    apart by their subjects.
    """
    seen_ids = set()
    seen_subjects: dict[str, str] = {}
    seen_intents: dict[str, str] = {}
    for fact in facts:
        if fact.id in seen_ids:
            raise FactsFileError(f"{source}: fact '{fact.id}', field 'id': used twice")
        seen_ids.add(fact.id)
        subject = fact.subject.casefold()
        if subject in seen_subjects:
            raise FactsFileError(
                f"{source}: fact '{fact.id}', field 'subject': '{fact.subject}' is already the "
                f"subject of fact '{seen_subjects[subject]}'"
            )
        seen_subjects[subject] = fact.id
        for intent in fact.intents:
            if intent in seen_intents:
                raise FactsFileError(
                    f"{source}: fact '{fact.id}', field 'intents': '{intent}' is already "
                    f"answered by fact '{seen_intents[intent]}'"
                )
            seen_intents[intent] = fact.id


def _parse_emergency(raw: Any, source: str) -> tuple[dict[str, str], dict[str, Review]]:
    if not isinstance(raw, list):
        raise FactsFileError(
            f"{source}: 'emergency' must be a list of {', '.join(EMERGENCY_KINDS)}"
        )
    answers: dict[str, str] = {}
    reviews: dict[str, Review] = {}
    for index, entry in enumerate(raw):
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        if entry_id not in EMERGENCY_KINDS or entry_id in answers:
            raise FactsFileError(
                f"{source}: emergency #{index + 1}, field 'id': must be one of "
                f"{', '.join(EMERGENCY_KINDS)}, each once"
            )
        if not _is_text(entry.get("answer")):
            raise FactsFileError(
                f"{source}: emergency '{entry_id}', field 'answer': must be non-empty text"
            )
        answers[entry_id] = _one_paragraph(entry["answer"])
        where = f"{source}: emergency '{entry_id}'"
        reviews[entry_id] = _parse_review(entry, "emergency", entry_id, answers[entry_id], where)
    missing = [entry_id for entry_id in EMERGENCY_KINDS if entry_id not in answers]
    if missing:
        raise FactsFileError(f"{source}: emergency entry missing: {', '.join(missing)}")
    return answers, reviews


def _parse_provider(raw: Any, source: str) -> Provider:
    if not isinstance(raw, dict):
        raise FactsFileError(f"{source}: 'provider' must be a mapping with name, url and phone")
    for field in ("name", "url"):
        if not _is_text(raw.get(field)):
            raise FactsFileError(f"{source}: provider, field '{field}': must be non-empty text")
    if not re.match(r"^https?://\S+$", raw["url"].strip()):
        raise FactsFileError(
            f"{source}: provider, field 'url': must start with http:// or https://"
        )
    phone = raw.get("phone") or ""
    if not isinstance(phone, (str, int)):
        raise FactsFileError(f"{source}: provider, field 'phone': must be text")
    return Provider(name=raw["name"].strip(), url=raw["url"].strip(), phone=str(phone).strip())


def _one_paragraph(text: str) -> str:
    return " ".join(text.split())


def _is_text(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())
