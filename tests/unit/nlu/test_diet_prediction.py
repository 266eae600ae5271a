"""A traced graph called directly gives what its tf.function gives, inputs converted alike."""

import numpy as np
import pytest
import tensorflow as tf

from extensions.nlu.diet_prediction import call_traced_graph


@tf.function(
    input_signature=[[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([None], tf.int64)]]
)
def scores(batch: list[tf.Tensor]) -> dict[str, tf.Tensor]:
    weights, offsets = batch
    return {"sums": tf.reduce_sum(weights, axis=1) + tf.cast(offsets, tf.float32), "rows": offsets}


def test_the_graph_called_directly_matches_the_function() -> None:
    graph = scores.get_concrete_function()
    batch = (np.array([[0.25, 1.5], [2.0, -1.0], [1e-8, 3.0]]), np.array([1, 2, 3], np.int32))

    direct = call_traced_graph(graph, batch)
    through_function = scores(batch)

    assert direct.keys() == through_function.keys()
    for name, value in through_function.items():
        assert direct[name].dtype == value.dtype
        np.testing.assert_array_equal(direct[name].numpy(), value.numpy())


def test_inputs_that_do_not_fit_the_signature_are_refused() -> None:
    with pytest.raises(ValueError):
        call_traced_graph(scores.get_concrete_function(), (np.zeros((2, 2)),))
