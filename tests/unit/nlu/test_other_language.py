"""A message in another language is recognised, and English as patients write it is not."""

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from evaluation.support.reporting import HELDOUT_PATH
from extensions.nlu.other_language import (
    ENGLISH_STOP_WORDS,
    ENGLISH_VARIETY_WORDS,
    LANGUAGE_WORDS,
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


@pytest.mark.parametrize(
    "text",
    [
        # Scots
        "hoo lang efter the fusion till ah can lift the wean",
        "efter ma fusion ah'll no be able tae drive fur how lang",
        "lang wait till ma op, ah'm scunnered wi this back",
        "ah've been telt ma spine needs fusin, whit happens efter",
        "ma back op's efter new year, hoo lang till ah'm fit",
        "ah cannae wait till ma back op's healed up",
        # Jamaican patois
        "dat fusion ting, mi need it fi true?",
        "mi spine fuse las month, wen mi can lif tings again",
        "mi doctah seh mi haffi get di fusion inna mi back",
        "mi madda get fuse inna har back, wen shi can walk good",
        "mi did ave di fusion las week, wen mi can bathe",
        "is di op really needed na, mi dont want it",
        # Nigerian Pidgin
        "abeg una, dem talk say na fusion dem go do, dat one na wetin?",
        "na im back dem fuse, how long im go rest",
        "dat operation dem wan do for im spine, na fusion?",
        "wetin dem dey do inna fusion, abeg explain am",
        # Indian and Filipino English, chat spelling
        "yaar op is must na? dont want it till ur sure",
        "doc till when po the brace after op? ma lola had fusion lang last week",
        "im in pain till now, dont want the op but ma doc says fusion",
    ],
)
def test_english_varieties_are_english(text: str) -> None:
    assert not is_other_language(text)


@pytest.mark.parametrize(
    "text",
    [
        # Each has words a variety of English shares ("ma", "di", "mi", "po", "na", "till",
        # "lang", "efter"); the language's other words still tell it.
        "ma quanto tempo ci vuole di riposo dopo l'intervento alla schiena",
        "mi fa male la schiena dopo l'operazione, è normale?",
        "mi espalda me duele mucho después de la fusión",
        "czy po operacji na kregoslup moge prowadzic samochod",
        "hur lang tid innan jag kan jobba igen efter operationen",
        "hvor lang tid efter operationen kan jeg cykle",
        "wie lang muss ich nach der OP krank geschrieben sein",
        "mag ik na de operatie weer autorijden",
        # Hindi or Urdu, and Tagalog, in Latin letters
        "kya operation ke baad main chal paunga",
        "mujhe kamar mein bahut dard hai, kya surgery zaroori hai",
        "gaano katagal bago ako makabalik sa trabaho pagkatapos ng operasyon",
        "masakit pa rin ang likod ko pagkatapos ng operasyon",
    ],
)
def test_words_shared_with_an_english_variety_do_not_hide_another_language(text: str) -> None:
    assert is_other_language(text)


def test_the_word_lists_hold_single_lowercase_words_and_no_english_in_other_languages() -> None:
    lists = [
        *LANGUAGE_WORDS["english_varieties"].values(),
        *LANGUAGE_WORDS["other_languages"].values(),
    ]
    assert all(word.isalpha() and word.islower() for words in lists for word in words.split())
    other = {word for words in LANGUAGE_WORDS["other_languages"].values() for word in words.split()}
    assert other & (ENGLISH_STOP_WORDS | ENGLISH_VARIETY_WORDS) == set()


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
