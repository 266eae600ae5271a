"""A Rasa NLU component that recognises a message written in another language than English.

The classifiers only know English: a message in German or French gets a guessed intent, and a
guess can be a fact. This component replaces it with `other_language`, which a rule answers
with "I answer in English only" and the emergency line.
"""

import importlib
import re
from typing import Any

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
# Stop words of those languages that English doesn't use, single letters left out.
OTHER_STOP_WORDS = frozenset(
    word
    for code in OTHER_LANGUAGES
    for word in importlib.import_module(f"spacy.lang.{code}.stop_words").STOP_WORDS
    if len(word) >= 2 and word not in ENGLISH_STOP_WORDS
)
# Two-letter ones alone are not enough: "ok", "op", "hi" and "ty" are English shorthand too.
SHORT_WORD = 2
# At this share of non-ASCII letters the message is in another script (Cyrillic, Chinese...).
OTHER_SCRIPT_SHARE = 0.3
# Hyphenated words stay whole: the "non" and "op" of "non-op" are English, not French and Dutch.
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def is_other_language(text: str) -> bool:
    """Mostly another script, or more words of another language than English stop words."""
    letters = [character for character in text if character.isalpha()]
    if letters and sum(not c.isascii() for c in letters) / len(letters) >= OTHER_SCRIPT_SHARE:
        return True
    words = WORD.findall(text.lower())
    english = sum(word in ENGLISH_STOP_WORDS for word in words)
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
