"""The sentence-embedding featurizer: one vector per message, the same wherever it is parsed."""

import re
import socket
from collections.abc import Iterator

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message

# Its packages are optional, not in requirements.txt: docs/embeddings.md says how to install them.
SentenceEmbeddingFeaturizer = pytest.importorskip(
    "extensions.sentence_embeddings"
).SentenceEmbeddingFeaturizer

ALIAS = "sentence_embeddings"


@pytest.fixture(scope="module")
def featurizer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SentenceEmbeddingFeaturizer]:
    """Every socket refused while these tests run: the model comes from the installed package."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        yield SentenceEmbeddingFeaturizer.create(
            {**SentenceEmbeddingFeaturizer.get_default_config(), "alias": ALIAS},
            LocalModelStorage(tmp_path_factory.mktemp("storage")),
            Resource(ALIAS),
            ExecutionContext(GraphSchema({}), node_name=ALIAS),
        )


def refuse(*args: object) -> None:
    raise OSError("no network in this test")


def tokenized(text: str) -> Message:
    """A message as a tokenizer leaves it, one token a word."""
    message = Message({TEXT: text})
    message.set(
        TOKENS_NAMES[TEXT], [Token(m.group(), m.start()) for m in re.finditer(r"\S+", text)]
    )
    return message


def features(message: Message, kind: str) -> np.ndarray:
    (found,) = [f.features for f in message.features if f.type == kind and f.origin == ALIAS]
    return found


def test_a_sentence_vector_and_a_zero_row_per_token(
    featurizer: SentenceEmbeddingFeaturizer,
) -> None:
    message = tokenized("how soon can I walk the dog after the operation")
    featurizer.process([message])
    sentence = features(message, FEATURE_TYPE_SENTENCE)
    assert sentence.shape == (1, 384)
    assert np.linalg.norm(sentence) == pytest.approx(1.0, abs=1e-5)
    assert features(message, FEATURE_TYPE_SEQUENCE).shape == (10, 384)
    assert not features(message, FEATURE_TYPE_SEQUENCE).any()


def test_a_message_gets_the_same_vector_alone_and_in_a_padded_batch(
    featurizer: SentenceEmbeddingFeaturizer,
) -> None:
    text = "is the metal in my back forever"
    alone, again = tokenized(text), tokenized(text)
    longer = tokenized("my father had two levels fused last spring and still limps a lot, why")
    featurizer.process([alone])
    featurizer.process([again, longer])
    np.testing.assert_allclose(
        features(alone, FEATURE_TYPE_SENTENCE), features(again, FEATURE_TYPE_SENTENCE), atol=1e-6
    )


def test_paraphrases_are_closer_than_unrelated_messages(
    featurizer: SentenceEmbeddingFeaturizer,
) -> None:
    messages = [
        tokenized("when will I be back to normal after the operation"),
        tokenized("how many weeks until I recover from surgery"),
        tokenized("what is the best pizza topping"),
    ]
    featurizer.process(messages)
    first, paraphrase, unrelated = (features(m, FEATURE_TYPE_SENTENCE)[0] for m in messages)
    assert first @ paraphrase > first @ unrelated + 0.2


def test_messages_without_tokens_are_left_alone(featurizer: SentenceEmbeddingFeaturizer) -> None:
    message = Message({"intent": "greet"})
    featurizer.process([message])
    assert message.features == []
