"""The safety net: every urgent message is caught, whatever else it asks; calm ones rarely are."""

from collections.abc import Callable
from pathlib import Path

import pytest
import spacy
import yaml

from extensions.red_flags import RedFlag, RedFlagMatcher, edit_distance

ROOT = Path(__file__).resolve().parents[2]
SAFETY = Path(__file__).parent
MAX_FALSE_ALARM_RATE = 0.02

Detect = Callable[[str], RedFlag | None]


def _load(path: Path, key: str) -> list:
    return yaml.safe_load(path.read_text(encoding="utf-8"))[key]


def _nlu_examples() -> list[tuple[str, str]]:
    """(intent, text) of the emergency and self_harm NLU examples, written independently."""
    return [
        (block["intent"], line.strip()[2:].strip())
        for block in _load(ROOT / "data/nlu/emergency.yml", "nlu")
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


RED_FLAGS = _load(SAFETY / "red_flags.yml", "red_flags")
NON_EMERGENCIES = _load(SAFETY / "non_emergencies.yml", "non_emergencies")
NLU_EXAMPLES = _nlu_examples()


def expected_kind(category: str) -> str:
    return "self_harm" if category == "self_harm" else "red_flag"


@pytest.fixture(scope="module")
def detect() -> Detect:
    """Our pipeline and one matcher, as in the server; messages lowercased as SpacyNLP does."""
    nlp = spacy.load(ROOT / ".spacy/en_spine_fusion")
    matcher = RedFlagMatcher(nlp.vocab)

    def detect(text: str) -> RedFlag | None:
        return matcher.find(nlp(text.lower()))

    return detect


@pytest.mark.parametrize(
    "case", RED_FLAGS, ids=[f"{i:03d}-{case['category']}" for i, case in enumerate(RED_FLAGS)]
)
def test_every_red_flag_triggers(detect: Detect, case: dict) -> None:
    found = detect(case["text"])
    assert found is not None, f"missed: {case['text']!r}"
    assert found.kind == expected_kind(case["category"]), found


def test_non_emergencies_rarely_trigger(detect: Detect) -> None:
    alarms = [(case["text"], detect(case["text"])) for case in NON_EMERGENCIES]
    alarms = [(text, found) for text, found in alarms if found]
    rate = len(alarms) / len(NON_EMERGENCIES)
    print(f"\nfalse alarms: {len(alarms)}/{len(NON_EMERGENCIES)} ({rate:.1%})")
    for text, found in alarms:
        print(f"  false alarm: {text!r} -> {found}")
    assert rate <= MAX_FALSE_ALARM_RATE, alarms


@pytest.mark.parametrize(
    ("intent", "text"), NLU_EXAMPLES, ids=[f"{i:03d}-{x[0]}" for i, x in enumerate(NLU_EXAMPLES)]
)
def test_every_nlu_emergency_example_triggers(detect: Detect, intent: str, text: str) -> None:
    found = detect(text)
    assert found is not None, f"missed: {text!r}"
    assert found.kind == ("self_harm" if intent == "self_harm" else "red_flag"), found


def test_report_rates(detect: Detect) -> None:
    caught = sum(
        (found := detect(case["text"])) is not None
        and found.kind == expected_kind(case["category"])
        for case in RED_FLAGS
    )
    alarms = sum(detect(case["text"]) is not None for case in NON_EMERGENCIES)
    print(
        f"\nred-flag recall: {caught}/{len(RED_FLAGS)} ({caught / len(RED_FLAGS):.1%})"
        f"  false alarms: {alarms}/{len(NON_EMERGENCIES)} ({alarms / len(NON_EMERGENCIES):.1%})"
    )


# Our own phrasings, beyond the shared test sets.


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I cant feel my leggs", "leg_weakness"),
        ("I have a feever and my bakc hurts", "fever"),
        ("incison is leeking and smells", "wound"),
        ("my chets hurts", "chest_breathing"),
    ],
)
def test_typos_are_tolerated(detect: Detect, text: str, category: str) -> None:
    found = detect(text)
    assert found is not None and found.category == category, found


@pytest.mark.parametrize(
    "text",
    [
        "no fever, no chills, my back is fine",
        "I'm not short of breath",
        "there's no pus or redness around my scar",
        "I don't feel any weakness in my legs",
        "I have no trouble breathing and no chest pain",
        "i've not lost control of my bladder",
    ],
)
def test_denied_symptoms_do_not_trigger(detect: Detect, text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I haven't been able to pee since last night", "bladder_bowel"),
        ("my wound won't stop bleeding", "wound"),
        ("without warning my legs collapsed", "leg_weakness"),
        ("I can't even lift my foot", "leg_weakness"),
        ("I'm not sure but I think I'm short of breath", "chest_breathing"),
    ],
)
def test_negation_words_around_real_symptoms_still_trigger(
    detect: Detect, text: str, category: str
) -> None:
    found = detect(text)
    assert found is not None and found.category == category, found


@pytest.mark.parametrize(
    "text", ["I can't breathe", "i cant breath", "I cannot breathe", "couldnt get my breath"]
)
def test_contractions_with_or_without_apostrophe(detect: Detect, text: str) -> None:
    found = detect(text)
    assert found is not None and found.category == "chest_breathing", found


def test_red_flag_buried_in_a_longer_question(detect: Detect) -> None:
    text = (
        "Thanks for the info about driving. By the way my bum has gone numb since this "
        "morning. Also, when will I be able to fly to Spain?"
    )
    assert detect(text) == RedFlag("red_flag", "saddle_numbness", "bum has gone numb")


def test_self_harm_wins_over_red_flags(detect: Detect) -> None:
    found = detect("I can't feel my legs and honestly I want to end my life")
    assert found is not None and found.kind == "self_harm", found


@pytest.mark.parametrize(
    "text",
    [
        "What should I do if I get a fever after the operation?",
        "how can I tell if my wound is infected",
        "I had a car accident years ago, my back was sore for a week",
    ],
)
def test_questions_and_old_history_do_not_trigger(detect: Detect, text: str) -> None:
    assert detect(text) is None


def test_edit_distance_counts_a_swap_as_one_typo() -> None:
    assert edit_distance("bakc", "back") == 1
    assert edit_distance("fevr", "fever") == 1
    assert edit_distance("kitten", "sitting") == 3
