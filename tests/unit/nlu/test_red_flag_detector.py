"""The detector's one finding, from the reviewed patterns and the self-harm classifier."""

import pytest

from extensions.nlu.red_flag_detector import finding
from extensions.nlu.red_flags import RedFlag

FEVER = RedFlag("red_flag", "fever", "burning up")
WISH_TO_DIE = RedFlag("self_harm", "self_harm", "want to die")


@pytest.mark.parametrize("verdict", [None, "possible", "certain"])
def test_self_harm_the_patterns_found_stands_alone(verdict: str | None) -> None:
    found = finding(WISH_TO_DIE, verdict)
    assert found is not None
    assert (found["kind"], found["found_by"], found["answer_after"]) == (
        "self_harm",
        "patterns",
        False,
    )


@pytest.mark.parametrize("verdict", ["possible", "certain"])
def test_a_red_flag_the_patterns_found_keeps_its_guidance(verdict: str) -> None:
    found = finding(FEVER, verdict)
    assert found is not None
    assert (found["category"], found["found_by"], found["answer_after"]) == (
        "fever",
        "patterns",
        False,
    )


def test_self_harm_the_classifier_is_sure_of_gets_the_crisis_line_alone() -> None:
    found = finding(None, "certain")
    assert found is not None
    assert (found["kind"], found["found_by"], found["answer_after"]) == (
        "self_harm",
        "classifier",
        False,
    )


def test_possible_self_harm_alone_gets_the_crisis_line_then_the_answer() -> None:
    found = finding(None, "possible")
    assert found is not None
    assert (found["kind"], found["answer_after"]) == ("self_harm", True)


def test_nothing_found_is_no_finding() -> None:
    assert finding(None, None) is None
