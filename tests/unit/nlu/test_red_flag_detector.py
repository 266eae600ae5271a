"""The detector's one finding, from the reviewed patterns and the self-harm classifier."""

import pytest

from extensions.nlu.red_flag_detector import finding
from extensions.nlu.red_flags import Reading, RedFlag

FEVER = Reading(RedFlag("red_flag", "fever", "burning up"))
WISH_TO_DIE = Reading(RedFlag("self_harm", "self_harm", "want to die"))
NOTHING = Reading(None)
# "I'd rather die than wear a brace": the words of self-harm, read as a figure of speech.
FIGURE_OF_SPEECH = Reading(None, self_harm_figure_of_speech=True)


@pytest.mark.parametrize("verdict", [None, "possible", "certain"])
def test_self_harm_the_patterns_found_stands_alone(verdict: str | None) -> None:
    found = finding(WISH_TO_DIE, verdict)
    assert found is not None
    assert (found["kind"], found["found_by"], found["answer_after"]) == (
        "self_harm",
        "patterns",
        False,
    )


@pytest.mark.parametrize("verdict", [None, "possible", "certain"])
def test_a_red_flag_the_patterns_found_keeps_its_guidance(verdict: str | None) -> None:
    found = finding(FEVER, verdict)
    assert found is not None
    assert (found["category"], found["found_by"], found["answer_after"]) == (
        "fever",
        "patterns",
        False,
    )


def test_self_harm_the_classifier_is_sure_of_gets_the_crisis_line_alone() -> None:
    found = finding(NOTHING, "certain")
    assert found is not None
    assert (found["kind"], found["found_by"], found["answer_after"]) == (
        "self_harm",
        "classifier",
        False,
    )


def test_possible_self_harm_alone_gets_the_crisis_line_then_the_answer() -> None:
    found = finding(NOTHING, "possible")
    assert found is not None
    assert (found["kind"], found["answer_after"]) == ("self_harm", True)


def test_nothing_found_is_no_finding() -> None:
    assert finding(NOTHING, None) is None


def test_a_figure_of_speech_answers_the_classifiers_doubt_but_not_its_certainty() -> None:
    assert finding(FIGURE_OF_SPEECH, "possible") is None
    found = finding(FIGURE_OF_SPEECH, "certain")
    assert found is not None
    assert (found["kind"], found["found_by"], found["answer_after"]) == (
        "self_harm",
        "classifier",
        False,
    )
