"""Sentence vectors from WordLlama's token embeddings, read from the files its wheel ships.

WordLlama (MIT licence) distils a large language model's token embeddings into a small table:
a sentence is the average of its tokens' rows, so it costs microseconds and no network. The
wordllama package itself needs numpy 2 and pydantic 2, which Rasa 3.6 cannot take, so `make`
unpacks its wheel without dependencies into `.wordllama/` and this module reads its two files
with safetensors and tokenizers.
"""

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from core.paths import PROJECT_ROOT

# Where `make install` unpacks the wheel (`pip install --no-deps --target .wordllama`).
WORDLLAMA_DIR = PROJECT_ROOT / ".wordllama" / "wordllama"
WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
TABLE = "embedding.weight"


class WordLlama:
    """Unit-length 256-dimension sentence vectors, the same for a text alone or in a batch."""

    def __init__(self, directory: Path = WORDLLAMA_DIR) -> None:
        if not (directory / WEIGHTS).is_file() or not (directory / TOKENIZER).is_file():
            raise FileNotFoundError(
                f"WordLlama's files are missing under {directory}: run `make install`"
            )
        self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER))
        self._table = load_file(str(directory / WEIGHTS))[TABLE].astype(np.float32)

    @property
    def dimensions(self) -> int:
        return int(self._table.shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row a text: its tokens' mean, scaled to length 1; zeros for a text of no tokens."""
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        for row, encoding in enumerate(encodings):
            if encoding.ids:
                vectors[row] = self._table[encoding.ids].mean(axis=0)
        lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(lengths > 0, lengths, 1.0)


@functools.cache
def shared_word_llama() -> WordLlama:
    """One table a process: the intent featurizer and the self-harm classifier read the same."""
    return WordLlama()
