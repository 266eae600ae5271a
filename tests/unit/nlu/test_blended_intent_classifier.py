"""The blend of two classifiers' intent distributions that config.yml relies on."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    FEATURE_TYPE_SEQUENCE,
    INTENT,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix

from extensions.nlu.blended_intent_classifier import BlendedIntentClassifier, blend


def confidences(ranking: list[dict]) -> dict[str, float]:
    return {intent["name"]: intent["confidence"] for intent in ranking}


def test_blend_is_the_weighted_average_most_likely_first() -> None:
    own = {"ask_mobility": 0.6, "out_of_scope": 0.4}
    earlier = {"ask_mobility": 0.1, "out_of_scope": 0.9}
    ranking = blend(own, earlier, earlier_weight=0.5)
    assert [intent["name"] for intent in ranking] == ["out_of_scope", "ask_mobility"]
    assert confidences(ranking) == pytest.approx({"out_of_scope": 0.65, "ask_mobility": 0.35})


def test_blend_keeps_intents_only_one_classifier_ranked() -> None:
    ranking = blend({"greet": 1.0}, {"thanks": 1.0}, earlier_weight=0.25)
    assert confidences(ranking) == pytest.approx({"greet": 0.75, "thanks": 0.25})


def test_a_truncated_earlier_ranking_is_renormalized_before_blending() -> None:
    ranking = blend({"greet": 0.5, "thanks": 0.5}, {"greet": 0.2, "thanks": 0.2}, 0.5)
    assert confidences(ranking) == pytest.approx({"greet": 0.5, "thanks": 0.5})


def test_without_an_earlier_ranking_the_own_distribution_stands() -> None:
    ranking = blend({"greet": 0.7, "thanks": 0.3}, {}, earlier_weight=0.35)
    assert confidences(ranking) == pytest.approx({"greet": 0.7, "thanks": 0.3})


def message(lemmas: list[float], characters: list[float], earlier: dict[str, float]) -> Message:
    """A parsed message as the featurizers and DIET leave it for the blend."""
    message = Message({TEXT: "text"})
    for origin, values in (("lemma_pairs", lemmas), ("characters_2_5", characters)):
        message.add_features(Features(csr_matrix([values]), FEATURE_TYPE_SENTENCE, TEXT, origin))
        message.add_features(Features(csr_matrix([values]), FEATURE_TYPE_SEQUENCE, TEXT, origin))
    ranking = [{"name": name, "confidence": value} for name, value in earlier.items()]
    message.set(INTENT_RANKING_KEY, ranking)
    return message


def classifier(tmp_path: Path, **config: Any) -> BlendedIntentClassifier:
    return BlendedIntentClassifier.create(
        {**BlendedIntentClassifier.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("blend"),
        ExecutionContext(GraphSchema({}), node_name="blend"),
    )


def test_only_the_configured_featurizers_sentence_features_are_read(tmp_path: Path) -> None:
    messages = [message([1, 0], [0, 0, 7], {}), message([0, 2], [5, 0, 0], {})]
    assert classifier(tmp_path)._create_X(messages).toarray().tolist() == [
        [1, 0, 0, 0, 7],
        [0, 2, 5, 0, 0],
    ]
    chosen = classifier(tmp_path, featurizers=["characters_2_5"])
    assert chosen._create_X(messages).toarray().tolist() == [[0, 0, 7], [5, 0, 0]]


def test_a_dense_sentence_vector_is_read_beside_the_sparse_blocks(tmp_path: Path) -> None:
    messages = [message([1, 0], [0, 0, 7], {}), message([0, 2], [5, 0, 0], {})]
    for row, parsed in enumerate(messages):
        vector = np.array([[0.5, -0.5 * row]])
        parsed.add_features(Features(vector, FEATURE_TYPE_SENTENCE, TEXT, "word_llama"))
    chosen = classifier(tmp_path, featurizers=["lemma_pairs", "word_llama"])
    assert chosen._create_X(messages).toarray().tolist() == [[1, 0, 0.5, 0], [0, 2, 0.5, -0.5]]


def test_process_blends_its_probabilities_with_the_earlier_ranking(tmp_path: Path) -> None:
    blend_classifier = classifier(tmp_path, earlier_classifier_weight=0.4, C=10.0)
    training = [message([1, 0], [1, 0, 0], {}), message([0, 1], [0, 0, 1], {})]
    blend_classifier.clf.fit(blend_classifier._create_X(training), ["greet", "thanks"])
    parsed = message([1, 0], [1, 0, 0], {"greet": 0.1, "thanks": 0.9})
    own = blend_classifier.clf.predict_proba(blend_classifier._create_X([parsed]))[0]

    blend_classifier.process([parsed])

    expected = {"greet": 0.6 * own[0] + 0.4 * 0.1, "thanks": 0.6 * own[1] + 0.4 * 0.9}
    assert confidences(parsed.get(INTENT_RANKING_KEY)) == pytest.approx(expected)
    assert parsed.get(INTENT)["name"] == max(expected, key=expected.get)
    assert blend_classifier.clf.get_params()["C"] == 10.0
