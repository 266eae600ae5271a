"""The WordLlama vector that the intent classifier reads beside its n-grams."""

import numpy as np
import pytest
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from extensions.nlu.word_llama import WordLlama
from extensions.nlu.word_llama_featurizer import WordLlamaFeaturizer


def featurizer(weight: float) -> WordLlamaFeaturizer:
    config = {**WordLlamaFeaturizer.get_default_config(), "alias": "word_llama", "weight": weight}
    return WordLlamaFeaturizer(config, "word_llama")


def test_a_message_gets_its_sentence_vector_scaled_by_the_weight() -> None:
    text = "how long until I can garden after a neck fusion"
    parsed = featurizer(3.0).process([Message({TEXT: text})])[0]
    [features] = parsed.features
    assert (features.type, features.attribute, features.origin) == (
        FEATURE_TYPE_SENTENCE,
        TEXT,
        "word_llama",
    )
    np.testing.assert_allclose(features.features, WordLlama().embed([text]) * 3.0, rtol=1e-6)
    assert np.linalg.norm(features.features) == pytest.approx(3.0, rel=1e-5)


def test_training_examples_without_text_get_no_vector() -> None:
    with_text = Message({TEXT: "what is a fusion", INTENT: "ask_what_is_fusion"})
    without_text = Message({INTENT: "greet"})
    featurizer(1.0).process_training_data(TrainingData([with_text, without_text]))
    assert len(with_text.features) == 1
    assert without_text.features == []
