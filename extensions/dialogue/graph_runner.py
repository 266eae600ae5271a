"""How the Rasa server runs its model's graph: each node in turn, without dask's scheduler.

Rasa 3.6 runs the NLU graph and the policy graph of every message through `dask.get`. For these
graphs, a chain of NLU components and two policies, dask's scheduling cost about a fifth of
the Rasa server's CPU per message (docs/measurements.md). `install()` makes Rasa's message
processor build this runner instead; extensions/rasa_server.py calls it before Rasa starts.
Training keeps dask.
"""

from collections.abc import Sequence
from typing import Any

import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner


def run_order(schema: GraphSchema, targets: Sequence[str]) -> tuple[str, ...]:
    """The nodes the targets need, each after every node it needs; input placeholders left out."""
    ordered: dict[str, None] = {}
    visiting: set[str] = set()

    def visit(node_name: str) -> None:
        if node_name in ordered or node_name not in schema.nodes:
            return
        if node_name in visiting:
            raise GraphRunError(f"Node '{node_name}' needs its own output: the graph has a cycle.")
        visiting.add(node_name)
        for provider in schema.nodes[node_name].needs.values():
            visit(provider)
        ordered[node_name] = None

    for target in targets:
        visit(target)
    return tuple(ordered)


class SequentialGraphRunner(DaskGraphRunner):
    """The nodes DaskGraphRunner would run, with the same inputs, one after another."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._run_orders: dict[tuple[str, ...], tuple[str, ...]] = {}

    def run(
        self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
    ) -> dict[str, Any]:
        """Runs the nodes the targets need; outputs and errors as DaskGraphRunner's."""
        run_targets = tuple(targets or self._graph_schema.target_names)
        if run_targets not in self._run_orders:
            self._run_orders[run_targets] = run_order(self._graph_schema, run_targets)
        order = self._run_orders[run_targets]
        # Each output as dask holds it, (node name, value); Rasa's own check that no input
        # clashes with a node name needs the node names as keys.
        outputs: dict[str, Any] = dict.fromkeys(order)
        self._add_inputs_to_graph(inputs, outputs)
        try:
            for node_name in order:
                if inputs and node_name in inputs:
                    continue
                needs = self._graph_schema.nodes[node_name].needs.values()
                # A provider that is neither a node nor an input reaches the node as its name,
                # as with dask, and the node refuses it.
                provided = (outputs.get(provider, provider) for provider in needs)
                outputs[node_name] = self._instantiated_nodes[node_name](*provided)
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(outputs[target] for target in run_targets)


def install() -> None:
    """Make Rasa's message processor run its model with a SequentialGraphRunner."""
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
