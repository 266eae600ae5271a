"""A Rasa NLU component that recognises a message written in another language than English.

The classifiers only know English: a message in German or French gets a guessed intent, and a
guess can be a fact. This component replaces it with `other_language`, which a rule answers
with "I answer in English only" and the emergency line.
"""

import importlib
import re
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS

OTHER_LANGUAGE_INTENT = "other_language"
# Languages whose stop words spaCy ships; other scripts are caught by their letters.
OTHER_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl", "pl", "tr", "sv", "da", "ro")
# Our own lists (language_words.yml): words of English varieties, and function words of
# languages written in Latin letters that spaCy has no stop words for (Hindi and Urdu, Tagalog).
LANGUAGE_WORDS = yaml.safe_load(
    Path(__file__).with_name("language_words.yml").read_text(encoding="utf-8")
)
# Stop words of all those languages that English doesn't use, single letters left out.
OTHER_STOP_WORDS = frozenset(
    word
    for words in (
        *(
            importlib.import_module(f"spacy.lang.{code}.stop_words").STOP_WORDS
            for code in OTHER_LANGUAGES
        ),
        *(words.split() for words in LANGUAGE_WORDS["other_languages"].values()),
    )
    for word in words
    if len(word) >= 2 and word not in ENGLISH_STOP_WORDS
)
# Words of English as its varieties write it (Scots, Jamaican patois, Nigerian Pidgin, Indian
# and Filipino English, chat spelling): each counts as English. Those that are also function
# words of another language ("ma", "till", "na", "po") count on both sides, settling nothing.
ENGLISH_VARIETY_WORDS = frozenset(
    word for words in LANGUAGE_WORDS["english_varieties"].values() for word in words.split()
)
# Two-letter ones alone are not enough: "ok", "op", "hi" and "ty" are English shorthand too.
SHORT_WORD = 2
# At this share of non-ASCII letters the message is in another script (Cyrillic, Chinese...).
OTHER_SCRIPT_SHARE = 0.3
# Hyphenated words stay whole: the "non" and "op" of "non-op" are English, not French and Dutch.
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# The tail of an English contraction ("ah've", "it'll", "ma back's") is English; split off as a
# word, the "ve" of "I've" was Turkish for "and".
CONTRACTION = re.compile(r"(?<=[^\W\d_])['\u2019](?:ve|ll|re|s|d|m|t)\b")


def is_other_language(text: str) -> bool:
    """Mostly another script, or more words of another language than English words."""
    letters = [character for character in text if character.isalpha()]
    if letters and sum(not c.isascii() for c in letters) / len(letters) >= OTHER_SCRIPT_SHARE:
        return True
    text = text.lower()
    contractions = len(CONTRACTION.findall(text))
    words = WORD.findall(CONTRACTION.sub(" ", text))
    english = contractions + sum(
        word in ENGLISH_STOP_WORDS or word in ENGLISH_VARIETY_WORDS for word in words
    )
    other = [word for word in words if word in OTHER_STOP_WORDS or not word.isascii()]
    return (
        len(other) >= 2
        and len(other) > english
        and any(len(word) > SHORT_WORD or not word.isascii() for word in other)
    )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class OtherLanguageDetector(GraphComponent):
    """Sets the certain intent `other_language`; place it after the fallback threshold and
    before the red-flag detector, which still wins."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "OtherLanguageDetector":
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not is_other_language(message.get(TEXT) or ""):
                continue
            intent = {"name": OTHER_LANGUAGE_INTENT, "confidence": 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
