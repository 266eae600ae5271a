"""Logistic regression whose intent probabilities are averaged with DIET's, placed after DIET."""

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix, csr_matrix

EARLIER_WEIGHT = "earlier_classifier_weight"
FEATURIZERS = "featurizers"
INVERSE_REGULARIZATION = "C"


def blend(own: dict[str, float], earlier: dict[str, float], earlier_weight: float) -> list[dict]:
    """A weighted average of two intent distributions, as a ranking, most likely first.

    With no earlier distribution (nothing ran before), the own one is returned unchanged.
    """
    if not earlier:
        earlier_weight = 0.0
    earlier_total = sum(earlier.values()) or 1.0
    blended = {
        name: (1 - earlier_weight) * own.get(name, 0.0)
        + earlier_weight * earlier.get(name, 0.0) / earlier_total
        for name in own.keys() | earlier.keys()
    }
    return [
        {"name": name, "confidence": confidence}
        for name, confidence in sorted(blended.items(), key=lambda item: -item[1])
    ]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class BlendedIntentClassifier(LogisticRegressionClassifier):
    """Logistic regression on its own featurizers, blended with the ranking DIET left.

    The two err on different messages, so their average is right more often than either
    (docs/measurements.md). Give DIET `ranking_length: 0` so that its whole distribution is here.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            EARLIER_WEIGHT: 0.0,
            # scikit-learn's C, which Rasa's own class leaves at 1.
            INVERSE_REGULARIZATION: 1.0,
            # Aliases of the featurizers whose sentence features it reads; empty reads them all.
            FEATURIZERS: [],
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clf.set_params(C=self.config[INVERSE_REGULARIZATION])

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "BlendedIntentClassifier":
        """The trained classifier, its weights stored column by column once at load.

        scikit-learn multiplies by the transposed weights, which sparse products copy into
        row order on every call, a millisecond a message; the values stay the same.
        """
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        if hasattr(component.clf, "coef_"):
            component.clf.coef_ = np.asfortranarray(component.clf.coef_)
        return component

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        """Sentence features of the configured featurizers, in pipeline order as Rasa's own.

        Read straight from the message: Rasa's accessor also copies and joins the sequence
        features, which this classifier never uses, at a millisecond a message. The blocks are
        laid side by side in one COO matrix, entries in the order scipy's hstack and vstack
        would leave them, without their checks of every block, another millisecond.
        """
        wanted = set(self.config[FEATURIZERS])
        data, rows, columns = [], [], []
        width = 0
        for row, message in enumerate(messages):
            width = 0
            for features in message.features:
                if (
                    features.attribute == TEXT
                    and features.type == FEATURE_TYPE_SENTENCE
                    and (not wanted or features.origin in wanted)
                ):
                    block = coo_matrix(features.features)
                    data.append(block.data)
                    rows.append(block.row + row)
                    columns.append(block.col + width)
                    width += block.shape[1]
        return coo_matrix(
            (np.concatenate(data), (np.concatenate(rows), np.concatenate(columns))),
            shape=(len(messages), width),
        ).tocsr()

    def process(self, messages: list[Message]) -> list[Message]:
        probabilities = self.clf.predict_proba(self._create_X(messages))
        for message, row in zip(messages, probabilities, strict=True):
            earlier = {
                intent["name"]: intent["confidence"]
                for intent in message.get(INTENT_RANKING_KEY) or []
            }
            ranking = blend(
                dict(zip(self.clf.classes_, row, strict=True)), earlier, self.config[EARLIER_WEIGHT]
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
