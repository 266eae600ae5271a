"""The review loop: the questions the assistant refused or was unsure of, marked by an operator,
become training examples.

    python -m ops.review write [--endpoints endpoints.yml] [--days 30] [--review FILE]
    python -m ops.review apply [--review FILE] [--nlu data/nlu/reviewed.yml]

`write` lists each such message once (redacted, with the classifier's three best intents) in
reports/operator/review.yml, keeping marks already made there. `apply` adds the messages marked
with an intent to data/nlu/reviewed.yml and records every marked one, intent or `ignore`, in
data/reviewed-ledger.txt, so that no message is offered twice. Bad marks stop it before it
writes anything.
"""

import argparse
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from rasa.shared.core.constants import DEFAULT_INTENTS
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader, RasaYAMLWriter
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from core.emergency import INTENT_FOR_KIND
from core.feedback import FEEDBACK_INTENT
from core.redaction import redact
from extensions.nlu.other_language import OTHER_LANGUAGE_INTENT
from ops.exchanges import Exchange, exchanges
from ops.files import write_atomically
from ops.report import DEFAULT_OUT
from ops.retention import positive_days, tracker_store
from ops.store import cutoff, stored_events

REVIEW_PATH = DEFAULT_OUT / "review.yml"
NLU_PATH = Path("data") / "nlu" / "reviewed.yml"
# Not .yml: Rasa must not read it as training data, and changing it must not retrain.
LEDGER_PATH = Path("data") / "reviewed-ledger.txt"
IGNORE = "ignore"
# Set by code, never learnt: a training example for them would only confuse the classifier.
INTENTS_SET_BY_CODE = {FEEDBACK_INTENT, OTHER_LANGUAGE_INTENT, *INTENT_FOR_KIND.values()}
HEADER = """\
# Messages the assistant refused or answered with low confidence, redacted (make review).
# Set `intent` to one of the intents below, or to `ignore`; leave it empty to decide later.
# Then run `make review-apply`: marked messages go to data/nlu/reviewed.yml and are not
# offered again; `make run` retrains on them when it next starts.
# Intents: {intents}
"""


class ReviewDumper(yaml.SafeDumper):
    """Writes an unmarked message as `intent:` with nothing after it, ready to fill in."""


ReviewDumper.add_representer(
    type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", "")
)


class ReviewError(ValueError):
    """The review file cannot be applied; the message says where and why."""


def message_id(text: str) -> str:
    """A stable id of a message's text, whatever its case and spacing."""
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()[:16]


def trainable_intents(domain_path: Path) -> list[str]:
    intents = Domain.load(str(domain_path)).intents
    return [i for i in intents if i not in DEFAULT_INTENTS and i not in INTENTS_SET_BY_CODE]


def reviewed_ids(ledger: Path) -> set[str]:
    if not ledger.exists():
        return set()
    return {line.split()[0] for line in ledger.read_text().splitlines() if line.strip()}


def review_entries(
    unanswered: Iterable[Exchange], already_reviewed: set[str], marks: dict[str, Any]
) -> list[dict[str, Any]]:
    """One entry per distinct redacted text not reviewed yet, most frequent first, with the
    classifier's ranking of its first occurrence and any mark already made."""
    entries: dict[str, dict[str, Any]] = {}
    for exchange in unanswered:
        text = redact(exchange.text)
        entry_id = message_id(text)
        if entry_id in already_reviewed:
            continue
        if entry_id in entries:
            entries[entry_id]["seen"] += 1
            continue
        entries[entry_id] = {
            "id": entry_id,
            "text": text,
            "seen": 1,
            "classifier": {name: round(confidence, 3) for name, confidence in exchange.ranking},
            "intent": marks.get(entry_id),
        }
    return sorted(entries.values(), key=lambda entry: -entry["seen"])


def load_review(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise ReviewError(f"{path} does not exist: run `make review` first")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ReviewError(f"{path}: is not valid YAML ({error})") from error
    messages = raw.get("messages") if isinstance(raw, dict) else None
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise ReviewError(f"{path}: must have a list `messages` of id, text and intent")
    return messages


def dump_review(path: Path, entries: list[dict[str, Any]], intents: list[str]) -> None:
    body = yaml.dump(
        {"messages": entries}, Dumper=ReviewDumper, sort_keys=False, allow_unicode=True, width=100
    )
    write_atomically(path, HEADER.format(intents=", ".join(intents)) + body)


def checked_marks(
    entries: list[dict[str, Any]], intents: list[str], known: dict[str, str]
) -> list[dict[str, Any]]:
    """The marked entries; every problem of the file at once in one ReviewError."""
    problems = []
    marked = []
    for number, entry in enumerate(entries, start=1):
        intent, text = entry.get("intent"), entry.get("text")
        if intent in (None, ""):
            continue
        where = f"message {number} ({entry.get('id')})"
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: `text` must be the message's text")
        elif intent != IGNORE and intent not in intents:
            problems.append(f"{where}: unknown intent {intent!r}; use `ignore` or one of the list")
        elif intent != IGNORE and known.get(text.strip().lower(), intent) != intent:
            problems.append(
                f"{where}: data/nlu already has this text under {known[text.strip().lower()]!r}"
            )
        else:
            marked.append(entry)
    if problems:
        raise ReviewError("nothing was applied:\n  " + "\n  ".join(problems))
    return marked


def known_examples(nlu_dir: Path) -> dict[str, str]:
    """Every training example's text (lower case) and its intent."""
    known = {}
    for path in sorted(nlu_dir.glob("*.yml")):
        for example in RasaYAMLReader().read(path).intent_examples:
            known[example.get("text").lower()] = example.get("intent")
    return known


def add_examples(nlu_path: Path, examples: list[tuple[str, str]]) -> None:
    """Add (text, intent) examples to the NLU file, in Rasa's YAML format, beside its own."""
    existing = RasaYAMLReader().read(nlu_path) if nlu_path.exists() else TrainingData()
    new = TrainingData([Message.build(text=text, intent=intent) for text, intent in examples])
    merged = existing.merge(new)
    header = "# Real questions marked by an operator (make review-apply).\n"
    write_atomically(nlu_path, header + RasaYAMLWriter().dumps(merged))


def apply_review(review: Path, nlu_path: Path, ledger: Path, domain: Path) -> tuple[int, int]:
    """Apply the operator's marks; the numbers of examples added and messages ignored."""
    entries = load_review(review)
    intents = trainable_intents(domain)
    known = known_examples(nlu_path.parent)
    marked = checked_marks(entries, intents, known)
    examples = [(e["text"].strip(), e["intent"]) for e in marked if e["intent"] != IGNORE]
    new_examples = [(text, intent) for text, intent in examples if text.lower() not in known]
    if new_examples:
        add_examples(nlu_path, new_examples)
    lines = [f"{e.get('id') or message_id(e['text'])} {e['intent']}\n" for e in marked]
    if lines:
        with ledger.open("a") as record:
            record.writelines(lines)
    remaining = [entry for entry in entries if entry.get("intent") in (None, "")]
    dump_review(review, remaining, intents)
    return len(examples), len(marked) - len(examples)


def write_review(
    endpoints: str, days: int, review: Path, ledger: Path, domain: Path
) -> list[dict[str, Any]]:
    """Write the review file of the last `days` days; its entries."""
    marks: dict[str, Any] = {}
    if review.exists():
        marks = {
            e["id"]: e["intent"] for e in load_review(review) if e.get("id") and e.get("intent")
        }
    events = stored_events(tracker_store(endpoints), cutoff(days))
    unanswered = (exchange for exchange in exchanges(events) if exchange.unanswered)
    entries = review_entries(unanswered, reviewed_ids(ledger), marks)
    dump_review(review, entries, trainable_intents(domain))
    return entries


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["write", "apply"])
    parser.add_argument("--endpoints", default="endpoints.yml", help="where the store is named")
    parser.add_argument("--days", type=positive_days, default=30, help="review this many days")
    parser.add_argument("--review", type=Path, default=REVIEW_PATH)
    parser.add_argument("--nlu", type=Path, default=NLU_PATH)
    parser.add_argument("--ledger", type=Path, default=LEDGER_PATH)
    parser.add_argument("--domain", type=Path, default=Path("domain.yml"))
    args = parser.parse_args(argv)
    if args.command == "write":
        entries = write_review(args.endpoints, args.days, args.review, args.ledger, args.domain)
        print(f"{args.review}: {len(entries)} message(s) to review.")
        return
    try:
        added, ignored = apply_review(args.review, args.nlu, args.ledger, args.domain)
    except ReviewError as error:
        raise SystemExit(f"error: {error}") from error
    print(f"Added {added} example(s) to {args.nlu}; {ignored} message(s) ignored.")


if __name__ == "__main__":
    main()
