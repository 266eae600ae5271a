"""A learned detector of thoughts of suicide or self-harm, for what no list of phrasings reaches.

People hint: farewells, arrangements, a bridge, "I won't be around for that". The reviewed
patterns stay first (extensions/nlu/red_flag_patterns.yml); this classifier reads meaning from
WordLlama sentence vectors beside word and character n-grams, and is tuned for recall: when it
is unsure, the patient gets the crisis line and then the answer (docs/safety.md).
"""

import hashlib
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from core.emergency import SELF_HARM_KEY
from core.paths import PROJECT_ROOT
from extensions.nlu.word_llama import WordLlama, shared_word_llama

EXAMPLES = "examples"
POSSIBLE = "possible_threshold"
CERTAIN = "certain_threshold"
DENSE_WEIGHT = "dense_weight"
INVERSE_REGULARIZATION = "C"
RANDOM_STATE = "random_state"
MODEL_FILE = "self_harm_classifier.pkl"
WORD = r"[a-z0-9']+"


def load_examples(directory: Path) -> tuple[list[str], list[str]]:
    """Statements of self-harm and look-alikes that are not, from every YAML file of the folder."""
    positives: list[str] = []
    look_alikes: list[str] = []
    for examples in load_example_files(directory).values():
        positives += examples["self_harm"]
        look_alikes += examples["not_self_harm"]
    if not positives or not look_alikes:
        raise ValueError(f"{directory}: examples of both `self_harm` and `not_self_harm` needed")
    return positives, look_alikes


def load_example_files(directory: Path) -> dict[str, dict[str, list[str]]]:
    """Each file's `self_harm` and `not_self_harm` lists, by file name.

    One writer or theme a file, so that a whole file can be held out to measure how the
    classifier does on a writer it never learnt from.
    """
    by_file = {}
    for path in example_files(directory):
        lists: dict[str, list[str]] = {"self_harm": [], "not_self_harm": []}
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(spec, dict) or not spec.keys() & lists.keys():
            raise ValueError(f"{path}: give a `self_harm` or `not_self_harm` list of texts")
        for name, texts in spec.items():
            if name not in lists or not isinstance(texts, list) or not texts:
                raise ValueError(f"{path}: `{name}` is not a `self_harm` or `not_self_harm` list")
            if not all(isinstance(text, str) and text.strip() for text in texts):
                raise ValueError(f"{path}: every entry of `{name}` must be a text")
            lists[name] = texts
        by_file[path.name] = lists
    return by_file


def example_files(directory: Path) -> list[Path]:
    """The folder's YAML files in a fixed order, so that training is repeatable."""
    return sorted(directory.glob("*.yml"))


def verdict(probability: float, possible: float, certain: float) -> str | None:
    """The reply it asks for: "certain", the crisis line alone; "possible", then the answer too."""
    if probability >= certain:
        return "certain"
    if probability >= possible:
        return "possible"
    return None


class SelfHarmModel:
    """N-gram weights and sentence vectors side by side, then a logistic regression."""

    def __init__(self, embedder: WordLlama, dense_weight: float, **regression: Any) -> None:
        self.embedder = embedder
        self.dense_weight = dense_weight
        self.characters = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
        )
        self.words = TfidfVectorizer(token_pattern=WORD, ngram_range=(1, 2), sublinear_tf=True)
        self.regression = LogisticRegression(class_weight="balanced", max_iter=2000, **regression)

    def fit(self, texts: list[str], labels: list[int]) -> "SelfHarmModel":
        lowered = [text.lower() for text in texts]
        self.characters.fit(lowered)
        self.words.fit(lowered)
        self.regression.fit(self._features(texts), labels)
        return self

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """The probability of self-harm of each text."""
        return self.regression.predict_proba(self._features(texts))[:, 1]

    def _features(self, texts: list[str]) -> csr_matrix:
        lowered = [text.lower() for text in texts]
        dense = csr_matrix(self.embedder.embed(texts) * self.dense_weight)
        return hstack(
            [self.characters.transform(lowered), self.words.transform(lowered), dense]
        ).tocsr()

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the embedding table, which ships with WordLlama, not the model."""
        return {key: value for key, value in self.__dict__.items() if key != "embedder"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SelfHarmClassifier(GraphComponent):
    """Leaves its probability and verdict in the parse; RedFlagDetector, after it, decides.

    Trained on its own examples (the folder `examples`, not data/nlu, so that the intent
    classifiers still learn no emergencies) against every NLU training example, all ordinary.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            EXAMPLES: "data/safety",
            POSSIBLE: 0.5,
            CERTAIN: 0.9,
            DENSE_WEIGHT: 1.0,
            INVERSE_REGULARIZATION: 10.0,
            RANDOM_STATE: 2024,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        """The examples' names and content, so that editing them retrains this component."""
        digest = hashlib.sha256()
        for path in example_files(_examples_path(config)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SelfHarmClassifier":
        return cls(config, model_storage, resource, None)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SelfHarmClassifier":
        with model_storage.read_from(resource) as directory:
            model = pickle.loads((directory / MODEL_FILE).read_bytes())
        model.embedder = shared_word_llama()
        return cls(config, model_storage, resource, model)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: SelfHarmModel | None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    def train(self, training_data: TrainingData) -> Resource:
        positives, negatives = load_examples(_examples_path(self._config))
        ordinary = [message.get(TEXT) for message in training_data.intent_examples]
        texts = [*positives, *negatives, *ordinary]
        labels = [1] * len(positives) + [0] * (len(negatives) + len(ordinary))
        self._model = SelfHarmModel(
            shared_word_llama(),
            self._config[DENSE_WEIGHT],
            C=self._config[INVERSE_REGULARIZATION],
            random_state=self._config[RANDOM_STATE],
        ).fit(texts, labels)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_bytes(pickle.dumps(self._model))
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            raise RuntimeError("SelfHarmClassifier has not been trained: run `make train`")
        texts = [message.get(TEXT) or "" for message in messages]
        for message, probability in zip(messages, self._model.probabilities(texts), strict=True):
            message.set(
                SELF_HARM_KEY,
                {
                    "probability": round(float(probability), 4),
                    "verdict": verdict(probability, self._config[POSSIBLE], self._config[CERTAIN]),
                },
                add_to_output=True,
            )
        return messages


def _examples_path(config: dict[str, Any]) -> Path:
    return PROJECT_ROOT / config[EXAMPLES]
