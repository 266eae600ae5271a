"""Patients' data rights and clinical governance through the real servers, on SQLite: "delete my
conversation" on the REST channel, what each reply was drawn from, and the operator's transcript,
export, forget and report.
"""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from core import audit
from core.facts import Content
from core.paths import FACTS_PATH, PROJECT_ROOT
from core.redaction import sender_hash
from evaluation.support.running_assistant import RunningAssistant
from tests.e2e.test_run_assistant import run_assistant

EMAIL = "jo.patient@example.com"


def ask_to_delete(assistant: RunningAssistant, sender: str) -> list[dict[str, Any]]:
    """The assistant's question after "delete my conversation", checked for its two answers."""
    replies = assistant.send(sender, "delete my conversation")
    assert "Reply YES" in replies[0]["text"]
    payloads = [button["payload"] for button in replies[0]["buttons"]]
    assert payloads == ["/affirm", "/deny"]
    return replies


def bot_metadata(assistant: RunningAssistant, sender: str) -> list[dict[str, Any]]:
    return [
        event.get("metadata") or {}
        for event in assistant.stored_events(sender)
        if event["event"] == "bot"
    ]


def test_yes_deletes_every_event_of_that_sender_and_nobody_elses(
    assistant: RunningAssistant,
) -> None:
    sender, other = assistant.new_conversation(), assistant.new_conversation()
    for who in (sender, other):
        assistant.send(who, "how long is the recovery?")
    others_events = assistant.stored_events(other)
    ask_to_delete(assistant, sender)
    assert "deleted this conversation" in assistant.texts(sender, "yes")[0]
    assert assistant.stored_events(sender) == []
    assert assistant.stored_events(other) == others_events
    erasures = [
        line["events"]
        for line in audit.read(assistant.audit_log_path)
        if line["sender"] == sender_hash(sender) and line["action"] == audit.ERASED_BY_PATIENT
    ]
    assert len(erasures) == 1 and erasures[0] > 0
    assert sender not in assistant.audit_log_path.read_text()


def test_after_a_deletion_the_sender_starts_a_new_conversation(
    assistant: RunningAssistant, content: Content
) -> None:
    sender = assistant.new_conversation()
    ask_to_delete(assistant, sender)
    assistant.send(sender, "/affirm")
    assert assistant.texts(sender, "what is a fusion?")[0] == content.disclaimer
    assert assistant.stored_user_texts(sender) == ["what is a fusion?"]


@pytest.mark.parametrize("answer", ["no", "/deny", "how long is the recovery?"])
def test_no_or_anything_else_deletes_nothing(assistant: RunningAssistant, answer: str) -> None:
    sender = assistant.new_conversation()
    ask_to_delete(assistant, sender)
    before = assistant.stored_events(sender)
    assistant.send(sender, answer)
    assert assistant.stored_events(sender)[: len(before)] == before
    assert assistant.stored_user_texts(sender)[-2:] == ["delete my conversation", answer]


def test_a_red_flag_in_the_request_gets_the_emergency_guidance_first_then_the_question(
    assistant: RunningAssistant, content: Content
) -> None:
    sender = assistant.new_conversation()
    message = "since this morning I can't control my bladder, please delete my conversation"
    replies = assistant.texts(sender, message)
    assert replies[0] == content.emergency["red_flag"]
    assert "Reply YES" in replies[1]
    assert "deleted this conversation" in assistant.texts(sender, "yes")[0]
    assert assistant.stored_events(sender) == []


def test_a_red_flag_alone_asks_nothing_about_deletion(
    assistant: RunningAssistant, content: Content
) -> None:
    sender = assistant.new_conversation()
    replies = assistant.texts(sender, "since this morning I can't control my bladder")
    assert replies == [content.emergency["red_flag"]]


def test_each_reply_keeps_which_entry_and_which_version_it_said(
    assistant: RunningAssistant, content: Content
) -> None:
    sender = assistant.new_conversation()
    assistant.send(sender, "will I need to wear a brace?")
    assistant.send(sender, "I suddenly can't feel my legs at all")
    said = [
        (m.get("fact_id") or m.get("emergency_id"), m["content_version"])
        for m in bot_metadata(assistant, sender)
        if "content_version" in m
    ]
    brace = content.fact_for_intent("ask_brace")
    assert brace is not None
    assert said == [
        (brace.id, brace.version),
        ("red_flag", content.emergency_reviews["red_flag"].version),
    ]


def make(target: str, assistant: RunningAssistant, **variables: str) -> str:
    """An operator's make target on the running assistant's store; its standard output."""
    arguments = [f"{name}={value}" for name, value in variables.items()]
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            target,
            f"ENDPOINTS={assistant.endpoints_path}",
            *arguments,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_operator_transcript_export_forget_and_report(
    assistant: RunningAssistant, content: Content, tmp_path: Path
) -> None:
    sender = assistant.new_conversation()
    assistant.send(sender, f"how long is the recovery? write to me at {EMAIL}")
    recovery = content.fact_for_intent("ask_recovery_time")
    assert recovery is not None

    transcript = make("transcript", assistant, SENDER=sender)
    assert f"[fact {recovery.id} v{recovery.version}]" in transcript
    assert EMAIL not in transcript and "[email]" in transcript
    assert EMAIL in make("transcript", assistant, SENDER=sender, SHOW_TEXT="1")

    exported = json.loads(make("export", assistant, SENDER=sender))
    assert exported["sender_id"] == sender
    assert exported["events"] == assistant.stored_events(sender)

    make("forget", assistant, SENDER=sender)
    assert assistant.stored_events(sender) == []
    assert assistant.texts(sender, "hello")[0] == content.disclaimer

    lines = audit.read(assistant.audit_log_path)
    mine = [
        (line["action"], line["events"]) for line in lines if line["sender"] == sender_hash(sender)
    ]
    assert mine == [
        (audit.EXPORTED, len(exported["events"])),
        (audit.FORGOTTEN, len(exported["events"])),
    ]

    subprocess.run(
        [
            str(PROJECT_ROOT / ".venv" / "bin" / "python"),
            "-m",
            "ops.report",
            "--endpoints",
            str(assistant.endpoints_path),
            "--out",
            str(tmp_path),
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    figures = json.loads((tmp_path / "figures.json").read_text())
    counted = {
        action: sum(line["action"] == action for line in lines) for action in audit.AUDIT_ACTIONS
    }
    assert figures["data_rights"] == counted and counted[audit.FORGOTTEN] >= 1
    entries = [f"fact {fact.id}" for fact in content.facts]
    entries += [f"emergency {kind}" for kind in content.emergency]
    assert sorted(review["entry"] for review in figures["reviews"]) == sorted(entries)


def test_a_malformed_review_field_stops_the_start_naming_file_entry_and_field(
    tmp_path: Path,
) -> None:
    raw = yaml.safe_load(FACTS_PATH.read_text())
    raw["facts"][1]["review_due"] = "next spring"
    broken = tmp_path / "facts.yml"
    broken.write_text(yaml.safe_dump(raw))
    run = run_assistant(tmp_path, timeout=400, FACTS_FILE=str(broken))
    assert run.returncode != 0
    assert f"{broken}: fact '{raw['facts'][1]['id']}', field 'review_due'" in run.stdout
    assert "The assistant is ready" not in run.stdout
