"""The blended classifier's featurizers: Rasa's sentence features, without the per-token pass."""

import tempfile
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from extensions.nlu.sentence_count_vectors import SentenceCountVectorsFeaturizer

TRAINING_TEXTS = ("how long is recovery", "will it limit my movement", "do I need a fusion")
CONFIGS = (
    {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5},
    {"max_ngram": 2},
)


def tokenized(*texts: str) -> list[Message]:
    messages = [Message({TEXT: text, "intent": "any"}) for text in texts]
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), None, None, None
    )
    return tokenizer.process(messages)


def trained(
    featurizer_class: type[CountVectorsFeaturizer], tmp_path: Path, config: dict[str, Any]
) -> CountVectorsFeaturizer:
    featurizer = featurizer_class.create(
        {**featurizer_class.get_default_config(), **config},
        LocalModelStorage(Path(tempfile.mkdtemp(dir=tmp_path))),
        Resource("featurizer"),
        ExecutionContext(GraphSchema({}), node_name="featurizer"),
    )
    featurizer.train(TrainingData(tokenized(*TRAINING_TEXTS)))
    return featurizer


def features(message: Message, feature_type: str) -> list[list[float]]:
    return [
        feature.features.toarray().tolist()
        for feature in message.features
        if feature.attribute == TEXT and feature.type == feature_type
    ]


@pytest.mark.parametrize("text", ["how long till I can move after fusion", ""])
def test_sentence_features_are_rasas_and_text_gets_no_sequence_features(
    tmp_path: Path, text: str
) -> None:
    for config in CONFIGS:
        ours, rasas = (
            trained(featurizer_class, tmp_path, config)
            for featurizer_class in (SentenceCountVectorsFeaturizer, CountVectorsFeaturizer)
        )
        [mine] = ours.process(tokenized(text))
        [reference] = rasas.process(tokenized(text))
        assert features(mine, FEATURE_TYPE_SENTENCE) == features(reference, FEATURE_TYPE_SENTENCE)
        assert not features(mine, FEATURE_TYPE_SEQUENCE)
        assert features(reference, FEATURE_TYPE_SEQUENCE) or not text
