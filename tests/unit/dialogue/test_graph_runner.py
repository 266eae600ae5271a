"""The sequential graph runner does what Rasa's dask runner does, checked side by side."""

from pathlib import Path
from typing import Any, ClassVar

import pytest
import rasa.core.processor
from rasa.core.processor import MessageProcessor
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import (
    ExecutionContext,
    GraphComponent,
    GraphModelConfiguration,
    GraphSchema,
    SchemaNode,
)
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.data import TrainingType

from extensions.dialogue import graph_runner
from extensions.dialogue.graph_runner import SequentialGraphRunner, run_order

RUNNERS = [DaskGraphRunner, SequentialGraphRunner]


class Arithmetic(GraphComponent):
    """A node that adds its inputs and `x`, and notes its name each time it runs."""

    runs: ClassVar[list[str]] = []

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "Arithmetic":
        return cls(config)

    def add(self, **numbers: int) -> int:
        Arithmetic.runs.append(self.config["name"])
        if self.config.get("fail"):
            raise ValueError("this node fails")
        return sum(numbers.values()) + self.config.get("x", 0)


def node(name: str, needs: dict[str, str], target: bool = False, **config: Any) -> SchemaNode:
    return SchemaNode(
        needs=needs,
        uses=Arithmetic,
        fn="add",
        constructor_name="create",
        config={"name": name, **config},
        is_target=target,
    )


# Two branches from one input that meet again, a node nothing needs, and a chain.
DIAMOND = GraphSchema(
    {
        "left": node("left", {"a": "__number__"}, x=1),
        "right": node("right", {"a": "__number__"}, x=10),
        "unused": node("unused", {"a": "__number__"}, x=100),
        "joined": node("joined", {"a": "left", "b": "right"}, target=True),
        "plus_two": node("plus_two", {"a": "joined"}, x=2, target=True),
    }
)


def make_runner(runner_class: type, schema: GraphSchema, tmp_path: Path) -> DaskGraphRunner:
    Arithmetic.runs = []
    return runner_class(
        graph_schema=schema,
        model_storage=LocalModelStorage(tmp_path),
        execution_context=ExecutionContext(graph_schema=schema, model_id="test"),
    )


def test_run_order_puts_each_node_after_what_it_needs() -> None:
    assert run_order(DIAMOND, ["plus_two"]) == ("left", "right", "joined", "plus_two")
    assert run_order(DIAMOND, ["right", "left"]) == ("right", "left")


@pytest.mark.parametrize("runner_class", RUNNERS)
def test_runs_the_targets_and_only_the_nodes_they_need(runner_class: type, tmp_path: Path) -> None:
    runner = make_runner(runner_class, DIAMOND, tmp_path)

    assert runner.run(inputs={"__number__": 5}) == {"joined": 21, "plus_two": 23}
    assert sorted(Arithmetic.runs) == ["joined", "left", "plus_two", "right"]

    Arithmetic.runs = []
    assert runner.run(inputs={"__number__": 0}, targets=["left"]) == {"left": 1}
    assert Arithmetic.runs == ["left"]


@pytest.mark.parametrize("runner_class", RUNNERS)
def test_each_run_starts_afresh(runner_class: type, tmp_path: Path) -> None:
    runner = make_runner(runner_class, DIAMOND, tmp_path)
    results = [runner.run(inputs={"__number__": n}, targets=["plus_two"]) for n in (1, 2, 1)]
    assert results == [{"plus_two": 15}, {"plus_two": 17}, {"plus_two": 15}]


@pytest.mark.parametrize("runner_class", RUNNERS)
def test_an_input_given_for_a_node_takes_its_place(runner_class: type, tmp_path: Path) -> None:
    runner = make_runner(runner_class, DIAMOND, tmp_path)
    assert runner.run(inputs={"__number__": 0, "left": 100}, targets=["joined"]) == {"joined": 110}
    assert "left" not in Arithmetic.runs


@pytest.mark.parametrize("runner_class", RUNNERS)
def test_a_missing_input_is_refused(runner_class: type, tmp_path: Path) -> None:
    runner = make_runner(runner_class, DIAMOND, tmp_path)
    with pytest.raises(GraphRunError, match="Missing input"):
        runner.run(targets=["left"])


@pytest.mark.parametrize("runner_class", RUNNERS)
def test_an_input_named_like_a_node_is_refused(runner_class: type, tmp_path: Path) -> None:
    runner = make_runner(runner_class, DIAMOND, tmp_path)
    with pytest.raises(GraphRunError, match="clashes"):
        runner.run(inputs={"__number__": "left"})


@pytest.mark.parametrize("runner_class", RUNNERS)
def test_a_failing_component_is_reported_as_rasa_reports_it(
    runner_class: type, tmp_path: Path
) -> None:
    schema = GraphSchema({"broken": node("broken", {}, fail=True, target=True)})
    runner = make_runner(runner_class, schema, tmp_path)
    with pytest.raises(GraphComponentException, match="node broken"):
        runner.run()


def test_a_cycle_is_refused_before_any_node_runs(tmp_path: Path) -> None:
    # Rasa refuses cycles when it trains; dask's runner would recurse until Python stops it.
    schema = GraphSchema(
        {
            "first": node("first", {"a": "second"}),
            "second": node("second", {"a": "first"}, target=True),
        }
    )
    runner = make_runner(SequentialGraphRunner, schema, tmp_path)
    with pytest.raises(GraphRunError, match="cycle"):
        runner.run()
    assert Arithmetic.runs == []


def test_install_makes_rasa_load_models_with_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A model packaged as `rasa train` packages one, loaded as Rasa's message processor does."""
    monkeypatch.setattr(rasa.core.processor, "DaskGraphRunner", DaskGraphRunner)
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    configuration = GraphModelConfiguration(
        train_schema=GraphSchema({}),
        predict_schema=DIAMOND,
        training_type=TrainingType.BOTH,
        assistant_id="test",
        language="en",
        core_target="plus_two",
        nlu_target="joined",
    )
    archive = tmp_path / "model.tar.gz"
    storage.create_model_package(archive, configuration, Domain.empty())

    assert type(MessageProcessor._load_model(archive)[2]) is DaskGraphRunner
    graph_runner.install()
    _, _, runner = MessageProcessor._load_model(archive)
    assert isinstance(runner, SequentialGraphRunner)
    assert runner.run(inputs={"__number__": 5}) == {"joined": 21, "plus_two": 23}
