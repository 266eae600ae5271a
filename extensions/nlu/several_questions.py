"""Finds the questions of a message that asks several, each with its intent, in the order asked.

The classifiers above give one intent per message. "How long is recovery, and will I be able to
bend?" asks two, so this component splits the message into its questions and classifies each
with a small model of its own, trained on the same examples. The answer action then answers
each question's fact in turn (actions/answers.py).
"""

import logging
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from core.questions import QUESTIONS_KEY

logger = logging.getLogger(__name__)

THRESHOLD = "threshold"
# The one type outside skops' defaults that the classifier's file holds: a file with any other
# is refused on load rather than trusted.
TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]
# Words a question opens with, typos and SMS spellings included.
QUESTION_WORDS = (
    "how|what|whats|wat|wot|when|why|where|which|who|will|wil|would|wud|can|could|cud|do|does|"
    "did|is|are|r|am|should|shall|may|might|must|any|anything|hw|wen"
)
# A question ends at ?, ! or ; at a full stop or a line break, or where "and", "also" or "plus"
# opens a new question ("... and how long is recovery").
QUESTION_BOUNDARY = re.compile(
    rf"(?<=[?!;.])\s+|\n+|[,\s]+(?:and\s+also|and|also|plus|&)\s+(?=(?:{QUESTION_WORDS})\b)",
    re.IGNORECASE,
)
OPENS_A_QUESTION = re.compile(rf"^\W*(?:{QUESTION_WORDS})\b", re.IGNORECASE)
MIN_WORDS = 3


def split_questions(text: str) -> list[str]:
    """The parts of a message that ask something, in order: ending in "?" or opening with a
    question word. A story around the questions ("I had mine in May.") is left out.
    """
    parts = [part.strip() for part in QUESTION_BOUNDARY.split(text) if part and part.strip()]
    return [
        part
        for part in parts
        if len(part.split()) >= MIN_WORDS and (part.endswith("?") or OPENS_A_QUESTION.match(part))
    ]


def question_classifier() -> Pipeline:
    """Word 1-2 and character 2-5 TF-IDF into logistic regression: cheap, and typo-tolerant."""
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            (
                "characters",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            ),
        ]
    )
    return Pipeline(
        [("features", features), ("classifier", LogisticRegression(max_iter=2000, C=10.0))]
    )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SeveralQuestionsClassifier(GraphComponent):
    """Sets `questions` on a message with two or more questions: each question's text, intent
    and confidence, in order. The message's own intent is left as the classifiers made it.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # A question below this confidence is left out rather than answered with a guess.
        return {THRESHOLD: 0.6}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SeveralQuestionsClassifier":
        return cls(config, model_storage, resource, question_classifier())

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SeveralQuestionsClassifier":
        import skops.io as sio

        with model_storage.read_from(resource) as model_dir:
            path = model_dir / f"{resource.name}.skops"
            classifier = sio.load(path, trusted=TRUSTED_TYPES)
        return cls(config, model_storage, resource, classifier)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Pipeline,
    ) -> None:
        self.threshold = float(config[THRESHOLD])
        self._model_storage = model_storage
        self._resource = resource
        self.classifier = classifier

    def train(self, training_data: TrainingData) -> Resource:
        import skops.io as sio

        examples = training_data.intent_examples
        self.classifier.fit([e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples])
        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump(self.classifier, model_dir / f"{self._resource.name}.skops")
        return self._resource

    def classify(self, questions: list[str]) -> list[dict[str, Any]]:
        """Each question's most likely intent, if it clears the threshold, in order."""
        probabilities = self.classifier.predict_proba(questions)
        found = []
        for question, row in zip(questions, probabilities, strict=True):
            best = row.argmax()
            if row[best] >= self.threshold:
                intent = str(self.classifier.classes_[best])
                found.append({"text": question, "intent": intent, "confidence": float(row[best])})
        return found

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            questions = split_questions(message.get(TEXT) or "")
            if len(questions) >= 2:
                message.set(QUESTIONS_KEY, self.classify(questions), add_to_output=True)
        return messages
