"""The facts file: the real one is complete; every broken one is refused with a clear message."""

import copy
import logging
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.facts import (
    TOPICS,
    Content,
    FactsFileError,
    content_version,
    load_content,
    parse_content,
)
from core.paths import FACTS_PATH, PROJECT_ROOT

VALID: dict[str, Any] = yaml.safe_load(FACTS_PATH.read_text())


def domain_intents() -> set:
    return set(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["intents"])


def test_every_topic_has_a_fact(content: Content) -> None:
    assert {fact.topic for fact in content.facts} == set(TOPICS)


def test_the_parts_people_ask_about_separately_are_separate_facts(content: Content) -> None:
    assert len(content.facts_in_topic("options")) >= 2
    assert len(content.facts_in_topic("recovery")) >= 3


def test_every_fact_intent_is_declared_in_the_domain(content: Content) -> None:
    fact_intents = {intent for fact in content.facts for intent in fact.intents}
    assert fact_intents <= domain_intents()


def test_answers_add_no_numbers(content: Content) -> None:
    # The source text gives no figures at all, so no answer may contain one.
    for fact in content.facts:
        assert not re.search(r"\d", fact.answer), fact.id


def test_answers_are_read_as_single_paragraphs(content: Content) -> None:
    fact = content.fact_for_intent("ask_mobility")
    assert fact is not None and "\n" not in fact.answer and "  " not in fact.answer


def test_provider_contact_with_and_without_phone() -> None:
    raw = copy.deepcopy(VALID)
    raw["provider"] = {"name": "Spine Clinic", "url": "https://clinic.example", "phone": ""}
    assert parse_content(raw, "f").provider.contact() == "Spine Clinic (https://clinic.example)"
    raw["provider"]["phone"] = "+1 555 0100"
    assert (
        parse_content(raw, "f").provider.contact()
        == "Spine Clinic (https://clinic.example, phone +1 555 0100)"
    )


def test_emergency_guidance_names_a_number_to_call(content: Content) -> None:
    assert "911" in content.emergency["red_flag"]
    assert "988" in content.emergency["self_harm"]


def test_unknown_intent_has_no_fact(content: Content) -> None:
    assert content.fact_for_intent("ask_about_cost") is None
    assert content.fact_for_intent(None) is None


def _drop_field(field: str) -> Callable[[dict[str, Any]], None]:
    return lambda raw: raw["facts"][1].pop(field)


def _set_field(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda raw: raw["facts"][1].__setitem__(field, value)


SECOND_FACT = VALID["facts"][1]["id"]

BROKEN_FILES = [
    ("answer missing", _drop_field("answer"), [SECOND_FACT, "'answer'"]),
    ("answer empty", _set_field("answer", "   "), [SECOND_FACT, "'answer'"]),
    ("source missing", _drop_field("source"), [SECOND_FACT, "'source'"]),
    ("reviewer missing", _drop_field("reviewed_by"), [SECOND_FACT, "'reviewed_by'"]),
    ("review date missing", _drop_field("reviewed_on"), [SECOND_FACT, "'reviewed_on'"]),
    (
        "review date not ISO",
        _set_field("reviewed_on", "3 Dec 2026"),
        [SECOND_FACT, "'reviewed_on'", "YYYY-MM-DD"],
    ),
    ("due date missing", _drop_field("review_due"), [SECOND_FACT, "'review_due'"]),
    (
        "due before the review",
        _set_field("review_due", date(2020, 1, 1)),
        [SECOND_FACT, "'review_due'", "after reviewed_on"],
    ),
    (
        "emergency source missing",
        lambda raw: raw["emergency"][0].pop("source"),
        ["emergency 'red_flag'", "'source'"],
    ),
    (
        "emergency due date malformed",
        lambda raw: raw["emergency"][1].__setitem__("review_due", "next year"),
        ["emergency 'self_harm'", "'review_due'"],
    ),
    ("unknown topic", _set_field("topic", "cost"), [SECOND_FACT, "'topic'"]),
    ("subject missing", _drop_field("subject"), [SECOND_FACT, "'subject'"]),
    (
        "subject too long for a button",
        _set_field("subject", "Whether you need a fusion"),
        [SECOND_FACT, "'subject'", "at most 15 characters"],
    ),
    (
        "subject of another fact",
        lambda raw: raw["facts"][1].__setitem__("subject", raw["facts"][0]["subject"].upper()),
        [SECOND_FACT, "'subject'", f"fact '{VALID['facts'][0]['id']}'"],
    ),
    ("intents not a list", _set_field("intents", "ask_x"), [SECOND_FACT, "'intents'"]),
    ("bad id", _set_field("id", "Has Spaces"), ["fact #2", "'id'"]),
    (
        "duplicate id",
        lambda raw: raw["facts"][1].__setitem__("id", raw["facts"][0]["id"]),
        [VALID["facts"][0]["id"], "'id'", "used twice"],
    ),
    (
        "intent answered twice",
        lambda raw: raw["facts"][1].__setitem__("intents", raw["facts"][0]["intents"]),
        [SECOND_FACT, "'intents'", "already answered"],
    ),
    (
        "a topic without facts",
        lambda raw: raw.__setitem__("facts", [f for f in raw["facts"] if f["topic"] != "mobility"]),
        ["mobility"],
    ),
    ("no facts", lambda raw: raw.__setitem__("facts", []), ["'facts'"]),
    ("no provider", lambda raw: raw.pop("provider"), ["'provider'"]),
    ("provider url", lambda raw: raw["provider"].__setitem__("url", "spine.md"), ["'url'"]),
    ("provider name", lambda raw: raw["provider"].__setitem__("name", ""), ["'name'"]),
    ("provider phone", lambda raw: raw["provider"].__setitem__("phone", [1]), ["'phone'"]),
    ("no emergency", lambda raw: raw.pop("emergency"), ["'emergency'"]),
    (
        "emergency entry missing",
        lambda raw: raw.__setitem__("emergency", raw["emergency"][:1]),
        ["emergency entry missing", "self_harm"],
    ),
    (
        "emergency answer empty",
        lambda raw: raw["emergency"][1].__setitem__("answer", ""),
        ["emergency 'self_harm'", "'answer'"],
    ),
    (
        "emergency id unknown",
        lambda raw: raw["emergency"][0].__setitem__("id", "fever"),
        ["emergency #1", "'id'"],
    ),
    (
        "emergency id twice",
        lambda raw: raw["emergency"][1].__setitem__("id", "red_flag"),
        ["emergency #2", "'id'"],
    ),
    ("no disclaimer", lambda raw: raw.pop("disclaimer"), ["'disclaimer'"]),
]


@pytest.mark.parametrize(
    "break_it, expected", [case[1:] for case in BROKEN_FILES], ids=[c[0] for c in BROKEN_FILES]
)
def test_broken_file_is_refused_naming_file_fact_and_field(
    tmp_path: Path, break_it: Callable[[dict[str, Any]], None], expected: list
) -> None:
    raw = copy.deepcopy(VALID)
    break_it(raw)
    path = tmp_path / "facts.yml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(FactsFileError) as error:
        load_content(path)
    message = str(error.value)
    assert message.startswith(str(path))
    for part in expected:
        assert part in message


def test_unreadable_and_invalid_yaml_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FactsFileError, match="cannot be read"):
        load_content(tmp_path / "missing.yml")
    broken = tmp_path / "facts.yml"
    broken.write_text("facts: [unclosed")
    with pytest.raises(FactsFileError, match="not valid YAML"):
        load_content(broken)
    broken.write_text("- just a list")
    with pytest.raises(FactsFileError, match="must be a mapping"):
        load_content(broken)


def test_every_entry_is_reviewed_with_dates_and_a_version(content: Content) -> None:
    reviews = content.reviews(date(2026, 12, 3))
    assert len(reviews) == len(content.facts) + len(content.emergency)
    for review in reviews:
        assert review.source and review.reviewed_by
        assert review.reviewed_on < review.review_due
    fact = content.facts[0]
    assert fact.version == content_version(fact.answer) and len(fact.version) == 12


def test_the_version_follows_the_words_not_the_line_breaks() -> None:
    raw = copy.deepcopy(VALID)
    before = parse_content(raw, "f").facts[0].version
    raw["facts"][0]["answer"] = raw["facts"][0]["answer"].replace(" ", "\n", 3)
    assert parse_content(raw, "f").facts[0].version == before
    raw["facts"][0]["answer"] += " Edited."
    assert parse_content(raw, "f").facts[0].version != before


def test_overdue_entries_come_first_and_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    raw = copy.deepcopy(VALID)
    for entry in (raw["facts"][2], raw["emergency"][1]):
        entry["reviewed_on"] = date(2025, 11, 1)
    raw["facts"][2]["review_due"] = date(2026, 12, 1)
    raw["emergency"][1]["review_due"] = date(2026, 11, 30)
    content = parse_content(raw, "f")
    today = date(2026, 12, 3)
    overdue = [(r.kind, r.entry_id) for r in content.reviews(today) if r.overdue(today)]
    assert overdue == [("emergency", "self_harm"), ("fact", raw["facts"][2]["id"])]
    assert [r.overdue(today) for r in content.reviews(today)][:3] == [True, True, False]
    with caplog.at_level(logging.WARNING):
        content.warn_overdue(logging.getLogger("test"), today)
    assert len(caplog.records) == 2
    assert "self_harm" in caplog.records[0].getMessage()
    assert "2026-11-30" in caplog.records[0].getMessage()
