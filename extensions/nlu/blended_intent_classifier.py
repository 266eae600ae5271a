"""Logistic regression whose intent probabilities are averaged with DIET's, placed after DIET."""

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack

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

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        """Sentence features of the configured featurizers, in pipeline order as Rasa's own.

        Read straight from the message: Rasa's accessor also copies and joins the sequence
        features, which this classifier never uses, at a millisecond a message.
        """
        wanted = set(self.config[FEATURIZERS])
        return vstack(
            [
                hstack(
                    [
                        features.features
                        for features in message.features
                        if features.attribute == TEXT
                        and features.type == FEATURE_TYPE_SENTENCE
                        and (not wanted or features.origin in wanted)
                    ]
                )
                for message in messages
            ],
            format="csr",
        )

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
