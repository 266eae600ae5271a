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

from core.emergency import INTENT_FOR_KIND, RED_FLAG_KEY
from extensions.nlu.red_flags import RedFlagMatcher


def emergency_intent(kind: str) -> dict[str, Any]:
    """Certain, so that no fallback threshold can hide it."""
    return {"name": INTENT_FOR_KIND[kind], "confidence": 1.0}


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False, model_from="SpacyNLP"
)
class RedFlagDetector(GraphComponent):
    """Deterministic safety net: a red flag found in the text wins over any prediction.

    Place it last, so that no fallback threshold rewrites its intent; RedFlagPolicy reads its
    finding and sends the emergency guidance.
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
            red_flag = self._matcher.find(doc) if doc is not None else None
            if red_flag is None:
                continue
            intent = emergency_intent(red_flag.kind)
            ranking = [
                i for i in message.get(INTENT_RANKING_KEY) or [] if i["name"] != intent["name"]
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
            message.set(
                RED_FLAG_KEY,
                {"kind": red_flag.kind, "category": red_flag.category, "matched": red_flag.matched},
                add_to_output=True,
            )
        return messages
