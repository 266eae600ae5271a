"""The review loop's pure parts: message ids and the checking of an operator's marks."""

import pytest

from ops.review import IGNORE, ReviewError, checked_marks, message_id


def test_message_ids_ignore_case_and_spacing() -> None:
    assert message_id("Can I  fly?") == message_id("can i fly?") != message_id("can i fly")


def test_marks_are_checked_all_at_once_and_unmarked_entries_are_skipped() -> None:
    entries = [
        {"id": "1", "text": "can I fly", "intent": "ask_mobility"},
        {"id": "2", "text": "blah", "intent": IGNORE},
        {"id": "3", "text": "later", "intent": None},
    ]
    assert checked_marks(entries, ["ask_mobility"], {}) == entries[:2]
    bad = [
        {"id": "4", "text": "hi there", "intent": "ask_mobility"},
        {"id": "5", "text": "x", "intent": "emergency"},
        {"id": "6", "text": "", "intent": "ask_mobility"},
    ]
    with pytest.raises(ReviewError) as error:
        checked_marks(bad, ["ask_mobility"], {"hi there": "greet"})
    message = str(error.value)
    assert "message 1 (4): data/nlu already has this text under 'greet'" in message
    assert "message 2 (5): unknown intent 'emergency'" in message
    assert "message 3 (6): `text` must be" in message
