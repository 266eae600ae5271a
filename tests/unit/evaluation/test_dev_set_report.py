"""The development-set report sorts each judged reply into the right cell and kind of miss."""

from typing import Any

import pytest

from evaluation.quality.dev_set_report import confusion, expected, got, miss_kind, misses_by_kind


def row(
    labels: list[str],
    correct: bool,
    topics: tuple[str, ...] = (),
    emergency: bool = False,
    provider: bool = True,
    hedged: bool = False,
) -> dict[str, Any]:
    """A row as ../shared/evaluation/end_to_end.py writes it to its JSON."""
    return {
        "text": "a message",
        "expected": labels,
        "correct": correct,
        "topics": list(topics),
        "emergency": emergency,
        "provider": provider,
        "hedged": hedged,
    }


@pytest.mark.parametrize(
    ("judged", "column"),
    [
        (row(["recovery"], True, ("recovery",)), "recovery"),
        (row(["out_of_scope"], True, ("mobility",), hedged=True), "hedged fact"),
        (row(["provider"], True), "provider"),
        (row(["options"], False, provider=False), "refusal"),
        (row(["options"], False, hedged=True), "refusal"),
        (row(["emergency"], True, ("recovery",), emergency=True), "emergency"),
    ],
)
def test_the_column_is_what_the_reply_gave(judged: dict[str, Any], column: str) -> None:
    assert got(judged) == column


def test_the_row_is_the_label_a_correct_reply_met() -> None:
    assert expected(row(["recovery", "mobility"], True, ("mobility",))) == "mobility"
    assert expected(row(["options", "out_of_scope"], True, provider=False)) == "out_of_scope"
    assert expected(row(["options", "recovery"], False, ("procedure",))) == "options"


@pytest.mark.parametrize(
    ("judged", "kind"),
    [
        (row(["emergency"], False, ("recovery",)), "missed emergency"),
        (row(["mobility"], False, emergency=True), "false alarm"),
        (row(["options"], False), "refused although in scope"),
        (row(["out_of_scope"], False, ("options",)), "fact given to an out-of-scope question"),
        (row(["options"], False, ("recovery",)), "fact of another topic"),
        (row(["options"], False, ("recovery",), hedged=True), "other"),
    ],
)
def test_each_miss_has_its_kind(judged: dict[str, Any], kind: str) -> None:
    assert miss_kind(judged) == kind


def test_only_misses_are_listed_and_the_matrix_counts_every_reply() -> None:
    rows = [
        row(["recovery"], True, ("recovery",)),
        row(["recovery"], True, ("recovery",)),
        row(["options"], False, ("recovery",)),
    ]
    assert confusion(rows) == {("recovery", "recovery"): 2, ("options", "recovery"): 1}
    misses = misses_by_kind(rows)
    assert [len(found) for found in misses.values()] == [0, 0, 0, 0, 1, 0]
