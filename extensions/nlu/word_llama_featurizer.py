"""WordLlama sentence vectors as dense features: the intent classifier sees meaning, not only words.

A writer the training data never sampled uses other words for the same question; the n-grams
miss them, an embedding distilled from a language model often does not. The vector costs
microseconds and ships with the project (extensions/nlu/word_llama.py), nothing is downloaded.
"""

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from extensions.nlu.word_llama import shared_word_llama

WEIGHT = "weight"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class WordLlamaFeaturizer(DenseFeaturizer, GraphComponent):
    """One sentence feature a message: its unit-length WordLlama vector times `weight`.

    The weight sets how much the vector counts beside the sparse n-gram blocks in a linear
    classifier, whose regularisation treats every column alike. Only sentence features: the
    classifier that reads them (BlendedIntentClassifier) uses no sequence features.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), WEIGHT: 1.0}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "WordLlamaFeaturizer":
        return cls(config, execution_context.node_name)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._embedder = shared_word_llama()

    def process(self, messages: list[Message]) -> list[Message]:
        with_text = [message for message in messages if message.get(TEXT)]
        if not with_text:
            return messages
        vectors = self._embedder.embed([message.get(TEXT) for message in with_text])
        for message, vector in zip(with_text, vectors * self._config[WEIGHT], strict=True):
            message.add_features(
                Features(
                    vector.reshape(1, -1),
                    FEATURE_TYPE_SENTENCE,
                    TEXT,
                    self._config[FEATURIZER_CLASS_ALIAS],
                )
            )
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Any weight is valid; zero switches the vector off without changing the pipeline."""
