"""A message in another language is recognised, and English as patients write it is not."""

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from evaluation.support.reporting import HELDOUT_PATH
from extensions.nlu.other_language import (
    OTHER_LANGUAGE_INTENT,
    OtherLanguageDetector,
    is_other_language,
)


@pytest.mark.parametrize(
    "text",
    [
        "Wie lange dauert die Erholung nach einer Versteifung?",
        "combien de temps pour récupérer après une fusion",
        "¿Es necesaria la cirugía de columna?",
        "quanto tempo ci vuole per tornare al lavoro",
        "hoe lang duurt het herstel na de operatie",
        "Сколько длится восстановление после операции",
        "脊柱融合手术后多久能恢复",
    ],
)
def test_another_language_is_recognised(text: str) -> None:
    assert is_other_language(text)


@pytest.mark.parametrize(
    "text",
    [
        "r u a bot or wat",
        "post-op physio ok?",
        "is non-op care an option before deciding",
        "L5 S1 fusion, how long till i'm healed",
        "recuvery from fuson how long",
        "will the op stop me doing yoga",
        "my english not so good, is operation necessary for back",
        "café job, on my feet all day, when can i go back",
    ],
)
def test_english_with_shorthand_typos_and_accents_is_english(text: str) -> None:
    assert not is_other_language(text)


def test_no_english_training_or_held_out_example_is_taken_for_another_language() -> None:
    examples = load_data("data/nlu").intent_examples + load_data(str(HELDOUT_PATH)).intent_examples
    assert [e.get(TEXT) for e in examples if is_other_language(e.get(TEXT))] == []


def test_component_replaces_the_guess_and_leaves_english_alone() -> None:
    guess = {"name": "ask_mobility", "confidence": 0.8}
    german = Message(data={TEXT: "kann ich nach der Operation wieder Sport treiben", INTENT: guess})
    english = Message(data={TEXT: "can i do sport after the operation", INTENT: guess})
    OtherLanguageDetector().process([german, english])
    assert german.get(INTENT) == {"name": OTHER_LANGUAGE_INTENT, "confidence": 1.0}
    assert german.get(INTENT_RANKING_KEY) == [german.get(INTENT)]
    assert english.get(INTENT) == guess
