"""A Rasa NLU component that overrides the classifier whenever a message describes a red flag."""

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from core.emergency import INTENT_FOR_KIND, RED_FLAG_KEY, SELF_HARM_KEY
from extensions.nlu.red_flags import Reading, RedFlagMatcher

SELF_HARM = "self_harm"


def emergency_intent(kind: str) -> dict[str, Any]:
    """Certain, so that no fallback threshold can hide it."""
    return {"name": INTENT_FOR_KIND[kind], "confidence": 1.0}


def finding(reading: Reading, self_harm_verdict: str | None) -> dict[str, Any] | None:
    """What the policy acts on, from the patterns' reading and the classifier's verdict.

    The reviewed patterns come first, self-harm before other red flags: a red flag they found
    keeps its own guidance, which sends the patient to urgent care either way; the classifier's
    certainty is no reason to change it (it is sure of self-harm in "I've wet the bed and didn't
    wake"). Then the classifier: `answer_after` when it is unsure, so the crisis line comes
    first and the question is still answered, because it may be wrong. Where the patterns read
    the words of self-harm as a reviewed figure of speech, only the classifier's certainty counts.
    """
    red_flag = reading.red_flag
    if red_flag is not None:
        return _finding(red_flag.kind, red_flag.category, red_flag.matched, "patterns")
    if self_harm_verdict == "possible" and reading.self_harm_figure_of_speech:
        return None
    if self_harm_verdict in ("certain", "possible"):
        found = _finding(SELF_HARM, SELF_HARM, "", "classifier")
        return {**found, "answer_after": self_harm_verdict == "possible"}
    return None


def _finding(kind: str, category: str, matched: str, found_by: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "category": category,
        "matched": matched,
        "found_by": found_by,
        "answer_after": False,
    }


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False, model_from="SpacyNLP"
)
class RedFlagDetector(GraphComponent):
    """Safety net: a red flag found in the text wins over any prediction.

    Place it last, after SelfHarmClassifier, so that no fallback threshold rewrites its intent;
    RedFlagPolicy reads its finding and sends the emergency guidance.
    """

    @classmethod
    def required_components(cls) -> list[type]:
        return [SpacyNLP]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagDetector":
        return cls()

    def __init__(self) -> None:
        self._matcher: RedFlagMatcher | None = None

    def process(self, messages: list[Message], model: SpacyModel) -> list[Message]:
        if self._matcher is None:
            self._matcher = RedFlagMatcher(model.model.vocab)
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            reading = self._matcher.read(doc) if doc is not None else Reading(None)
            found = finding(reading, (message.get(SELF_HARM_KEY) or {}).get("verdict"))
            if found is None:
                continue
            message.set(RED_FLAG_KEY, found, add_to_output=True)
            if found["answer_after"]:
                # The intent stays the classifiers': it picks the answer after the crisis line.
                continue
            intent = emergency_intent(found["kind"])
            ranking = [
                i for i in message.get(INTENT_RANKING_KEY) or [] if i["name"] != intent["name"]
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        return messages
