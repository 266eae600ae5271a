"""The report's review status and data-rights counts, and the transcript's lines."""

import copy
from datetime import date

import yaml

from core import audit
from core.facts import parse_content
from core.paths import FACTS_PATH
from ops.conversation import transcript
from ops.report import Figures, governance

TODAY = date(2026, 12, 3)


def test_overdue_entries_come_first_and_only_the_periods_requests_count() -> None:
    raw = yaml.safe_load(FACTS_PATH.read_text())
    late = copy.deepcopy(raw)
    late["emergency"][0]["reviewed_on"] = date(2025, 1, 1)
    late["emergency"][0]["review_due"] = date(2026, 1, 1)
    lines = [
        {"time": "2026-12-02T10:00:00Z", "action": audit.FORGOTTEN, "sender": "a", "events": 3},
        {"time": "2026-12-03T10:00:00Z", "action": audit.EXPORTED, "sender": "b", "events": 5},
        {"time": "2026-10-01T10:00:00Z", "action": audit.FORGOTTEN, "sender": "c", "events": 1},
    ]
    figures = Figures(days=30, show_text=False)
    governance(figures, parse_content(late, "f"), lines, TODAY)
    assert figures.reviews[0]["entry"] == "emergency red_flag"
    assert figures.reviews[0]["status"] == "OVERDUE"
    assert {review["status"] for review in figures.reviews[1:]} == {"current"}
    assert figures.data_rights == {
        audit.ERASED_BY_PATIENT: 0,
        audit.FORGOTTEN: 1,
        audit.EXPORTED: 1,
    }


def test_the_transcript_names_each_replys_entry_and_version_and_redacts() -> None:
    events = [
        {"event": "action", "name": "action_listen", "timestamp": 0},
        {
            "event": "user",
            "timestamp": 0,
            "text": "call me on +1 555 010 0199",
            "parse_data": {"intent": {"name": "ask_brace"}},
        },
        {
            "event": "bot",
            "timestamp": 1,
            "text": "You may need a brace.",
            "metadata": {"fact_id": "recovery_brace", "content_version": "abc123"},
        },
        {
            "event": "bot",
            "timestamp": 2,
            "text": "Call 911.",
            "metadata": {"emergency_id": "red_flag", "content_version": "def456"},
        },
    ]
    lines = transcript(events, show_text=False)
    assert lines == [
        "1970-01-01 00:00:00 patient: call me on [phone] (ask_brace)",
        "1970-01-01 00:00:01 assistant: You may need a brace. [fact recovery_brace vabc123]",
        "1970-01-01 00:00:02 assistant: Call 911. [emergency red_flag vdef456]",
    ]
    assert "+1 555 010 0199" in transcript(events, show_text=True)[0]
