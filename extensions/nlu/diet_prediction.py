"""How DIET predicts one message: its traced TensorFlow graph called directly.

Rasa 3.6 calls DIET's prediction through a `tf.function` each message. Its graph is traced once,
on the first message, but each later call still matches, checks and converts every argument
against the function's signature in Python: a call took 3.6 ms here, the traced graph called
with the same inputs 1.1 ms (docs/measurements.md). After Rasa's own first call, `install()`
has DIET call that traced graph directly, with the same tensors, and hand back the same
outputs. extensions/rasa_server.py calls it before Rasa starts, once it has found the private
members this reads, TensorFlow's `_call_flat` among them.
"""

import weakref
from typing import Any

import tensorflow as tf
from keras.utils import tf_utils
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.types.experimental import ConcreteFunction

rasas_prediction = RasaModel._rasa_predict
traced_graphs: "weakref.WeakKeyDictionary[RasaModel, ConcreteFunction]" = (
    weakref.WeakKeyDictionary()
)


def call_traced_graph(graph: ConcreteFunction, batch_in: tuple[Any, ...]) -> Any:
    """The graph's outputs for the batch, each input converted to its signature's type."""
    specs = tf.nest.flatten(graph.structured_input_signature)
    inputs = [
        tf.convert_to_tensor(value, dtype=spec.dtype)
        for value, spec in zip(tf.nest.flatten(batch_in), specs, strict=True)
    ]
    return graph._call_flat(inputs, graph.captured_inputs)


def predict_with_traced_graph(model: RasaModel, batch_in: tuple[Any, ...]) -> dict[str, Any]:
    """Rasa's `_rasa_predict`, but for the call itself once Rasa has traced the graph."""
    graph = traced_graphs.get(model)
    if graph is None:
        outputs = rasas_prediction(model, batch_in)
        if not model._run_eagerly and model._tf_predict_step is not None:
            traced_graphs[model] = model._tf_predict_step.get_concrete_function()
        return outputs
    outputs = tf_utils.sync_to_numpy_or_python_type(call_traced_graph(graph, batch_in))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = model._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def install() -> None:
    """Make every DIET model predict through its traced graph after its first prediction."""
    DIET._rasa_predict = predict_with_traced_graph
