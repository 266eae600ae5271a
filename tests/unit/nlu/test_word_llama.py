"""WordLlama's sentence vectors, read from the files `make install` unpacks."""

from pathlib import Path

import numpy as np
import pytest

from extensions.nlu.word_llama import WordLlama


@pytest.fixture(scope="module")
def embedder() -> WordLlama:
    return WordLlama()


def test_a_text_gets_the_same_vector_alone_or_in_a_batch(embedder: WordLlama) -> None:
    texts = ["how long is recovery after a fusion", "I won't be around for the follow-up", "ok"]
    batch = embedder.embed(texts)
    alone = np.vstack([embedder.embed([text]) for text in texts])
    assert batch.shape == (3, embedder.dimensions) == (3, 256)
    np.testing.assert_allclose(batch, alone, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, rtol=1e-5)


def test_related_sentences_are_closer_than_unrelated_ones(embedder: WordLlama) -> None:
    recovery, time_off, brace = embedder.embed(
        [
            "how many weeks until I recover from the operation",
            "how long will I need off work after surgery",
            "my granddaughter plays the violin in an orchestra",
        ]
    )
    assert recovery @ time_off > recovery @ brace


def test_a_text_of_no_tokens_is_a_zero_vector(embedder: WordLlama) -> None:
    assert not embedder.embed([""]).any()


def test_missing_files_name_the_command_that_installs_them(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make install"):
        WordLlama(tmp_path)
