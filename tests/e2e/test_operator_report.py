"""`make report`, `make review` and `make review-apply` on a SQLite tracker store filled by
talking to both real servers through the REST channel."""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from core.facts import Content
from evaluation.support.operator_conversations import (
    EMAIL,
    EMERGENCY_CATEGORY,
    PHONE,
    Sent,
    seed,
)
from evaluation.support.running_assistant import PROJECT_ROOT, RunningAssistant
from ops import report, review
from ops.retention import tracker_store
from ops.store import stored_events


@pytest.fixture(scope="module")
def seeded(
    tmp_path_factory: pytest.TempPathFactory, content: Content
) -> Iterator[tuple[RunningAssistant, Sent]]:
    """A private assistant whose store holds only the test conversations."""
    running = RunningAssistant(tmp_path_factory.mktemp("report-store")).start()
    try:
        yield running, seed(running.send, content)
    finally:
        running.stop()


def make_report(running: RunningAssistant, out: Path, *flags: str) -> dict[str, Any]:
    report.main(["--endpoints", str(running.endpoints_path), "--out", str(out), *flags])
    return json.loads((out / "figures.json").read_text())


def test_the_figures_match_the_conversations_sent(
    seeded: tuple[RunningAssistant, Sent], tmp_path: Path
) -> None:
    running, sent = seeded
    figures = make_report(running, tmp_path)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert figures["conversations"] == len(sent.senders) == 3
    assert figures["messages"] == sent.messages
    assert figures["per_day"] == {today: {"rest": {"conversations": 3, "messages": sent.messages}}}
    assert figures["questions_per_day"] == {
        today: {"questions": sent.questions, "refused": sent.refused}
    }
    assert sent.refused >= 2
    assert figures["facts"] == dict(sent.facts)
    assert figures["topics"] == {"procedure": 1, "recovery": 1}
    assert figures["emergencies"] == {EMERGENCY_CATEGORY: 1} and sent.emergencies == 1
    # The typed "no" is a message like any other, not a verdict.
    assert (
        figures["feedback"]
        == sent.feedback
        == {
            "what_is_fusion": {"not_helpful": 1},
            "recovery_time": {"helpful": 1},
        }
    )
    grouped = [example for group in figures["groups"] for example in group["examples"]]
    assert figures["unanswered"] >= sent.refused
    assert sum(group["count"] for group in figures["groups"]) == figures["unanswered"]
    assert any("cost" in example for example in grouped)


def test_texts_are_redacted_and_show_text_0_leaves_them_out(
    seeded: tuple[RunningAssistant, Sent], tmp_path: Path
) -> None:
    running, sent = seeded
    make_report(running, tmp_path / "with")
    page = (tmp_path / "with" / "index.html").read_text()
    assert "[email]" in page and "[phone]" in page
    assert EMAIL not in page and PHONE not in page and "7946" not in page

    figures = make_report(running, tmp_path / "without", "--no-text")
    page = (tmp_path / "without" / "index.html").read_text()
    assert all(not group["examples"] for group in figures["groups"])
    for text in sent.texts:
        assert f">{text}<" not in page and (len(text) < 5 or text not in page)
    assert "email" not in page and "cost" not in page


def test_a_review_round_trip_adds_exactly_the_marked_examples(
    seeded: tuple[RunningAssistant, Sent], tmp_path: Path
) -> None:
    running, _ = seeded
    paths = {
        "review": tmp_path / "review.yml",
        "nlu": tmp_path / "nlu" / "reviewed.yml",
        "ledger": tmp_path / "ledger.txt",
    }
    options = [f"--{name}={path}" for name, path in paths.items()]
    review.main(["write", "--endpoints", str(running.endpoints_path), *options])
    entries = yaml.safe_load(paths["review"].read_text())["messages"]
    assert len(entries) >= 3
    assert all(len(entry["classifier"]) == 3 for entry in entries)
    assert any("[email]" in entry["text"] for entry in entries)
    assert not any(EMAIL in entry["text"] for entry in entries)

    entries[0]["intent"] = "ask_provider"
    entries[1]["intent"] = review.IGNORE
    entries[2]["intent"] = "not_an_intent"
    paths["review"].write_text(yaml.safe_dump({"messages": entries}))
    before = paths["review"].read_text()
    with pytest.raises(SystemExit, match="unknown intent 'not_an_intent'"):
        review.main(["apply", *options])
    assert paths["review"].read_text() == before
    assert not paths["nlu"].exists() and not paths["ledger"].exists()

    entries[2]["intent"] = None
    paths["review"].write_text(yaml.safe_dump({"messages": entries}))
    paths["nlu"].parent.mkdir()
    review.main(["apply", *options])
    examples = RasaYAMLReader().read(paths["nlu"]).intent_examples
    assert [(e.get("text"), e.get("intent")) for e in examples] == [
        (entries[0]["text"], "ask_provider")
    ]
    remaining = yaml.safe_load(paths["review"].read_text())["messages"]
    assert [entry["id"] for entry in remaining] == [entry["id"] for entry in entries[2:]]

    review.main(["write", "--endpoints", str(running.endpoints_path), *options])
    offered = {entry["id"] for entry in yaml.safe_load(paths["review"].read_text())["messages"]}
    assert offered == {entry["id"] for entry in entries[2:]}


def test_the_reviewed_examples_file_is_in_the_nlu_data_rasa_trains_on() -> None:
    assert review.NLU_PATH.parent == Path("data") / "nlu"
    assert (PROJECT_ROOT / review.NLU_PATH.parent).is_dir()
    assert review.LEDGER_PATH.suffix not in (".yml", ".yaml")


def test_reading_in_small_batches_reads_the_same_events(
    seeded: tuple[RunningAssistant, Sent],
) -> None:
    store = tracker_store(str(seeded[0].endpoints_path))
    in_one = list(stored_events(store, since=0, batch_size=100_000))
    assert len(in_one) > 30
    assert list(stored_events(store, since=0, batch_size=7)) == in_one
    assert list(stored_events(store, since=time.time() + 60)) == []
