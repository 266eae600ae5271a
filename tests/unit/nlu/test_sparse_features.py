"""Sparse features joined in one step are, entry for entry, what Rasa's `hstack` gives."""

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features

from extensions.nlu.sparse_features import join_sparse_features, rasas_join, side_by_side


def random_coo(rows: int, columns: int, dtype: type, seed: int) -> scipy.sparse.coo_matrix:
    return scipy.sparse.random(
        rows, columns, density=0.3, format="coo", dtype=dtype, random_state=seed
    )


def assert_same_matrix(joined: scipy.sparse.spmatrix, expected: scipy.sparse.spmatrix) -> None:
    assert joined.format == expected.format
    assert joined.shape == expected.shape
    assert joined.dtype == expected.dtype
    for part in ("data", "row", "col"):
        assert getattr(joined, part).dtype == getattr(expected, part).dtype
        np.testing.assert_array_equal(getattr(joined, part), getattr(expected, part))


DTYPES = [np.float64, np.float32, np.int64, np.int32, np.bool_]


@pytest.mark.parametrize("left_dtype", DTYPES)
@pytest.mark.parametrize("right_dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((1, 7), (1, 3)), ((6, 40), (6, 1)), ((3, 0), (3, 5))])
def test_two_coo_matrices_join_as_hstack_joins_them(
    left_dtype: type, right_dtype: type, shapes: tuple
) -> None:
    (rows, left_columns), (_, right_columns) = shapes
    left = random_coo(rows, left_columns, left_dtype, seed=1)
    right = random_coo(rows, right_columns, right_dtype, seed=2)

    assert_same_matrix(side_by_side(left, right), scipy.sparse.hstack([left, right]))


def test_a_wide_matrix_gets_the_index_type_hstack_gives_it() -> None:
    left = scipy.sparse.coo_matrix(([1.0], ([0], [2**31])), shape=(1, 2**31 + 1))
    right = random_coo(1, 4, np.float64, seed=3)

    joined = side_by_side(left, right)

    assert joined.col.dtype == np.int64
    assert_same_matrix(joined, scipy.sparse.hstack([left, right]))


def test_matrices_of_different_row_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        side_by_side(random_coo(2, 3, np.float64, 1), random_coo(3, 3, np.float64, 2))


def features(matrix: scipy.sparse.spmatrix) -> Features:
    return Features(matrix, "sequence", "text", "lemmas")


@pytest.mark.parametrize(
    "left, right",
    [
        (random_coo(4, 9, np.float64, 1), random_coo(4, 5, np.float64, 2)),
        (random_coo(4, 9, np.float64, 1), random_coo(4, 5, np.int64, 2)),
        (random_coo(4, 9, np.float64, 1).tocsr(), random_coo(4, 5, np.float64, 2)),
    ],
    ids=["coo", "two types", "csr"],
)
def test_features_join_as_rasa_joins_them(
    left: scipy.sparse.spmatrix, right: scipy.sparse.spmatrix
) -> None:
    joined, rasas = features(left), features(left)
    joined.fingerprint()

    join_sparse_features(joined, features(right))
    rasas_join(rasas, features(right))

    assert_same_matrix(joined.features, rasas.features)
    assert joined.fingerprint() == rasas.fingerprint()


def test_features_of_different_row_counts_get_rasas_error() -> None:
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        join_sparse_features(
            features(random_coo(2, 3, np.float64, 1)), features(random_coo(3, 3, np.float64, 2))
        )
