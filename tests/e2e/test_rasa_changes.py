"""The trained model, changed as the Rasa server changes Rasa, parses and predicts as Rasa does."""

import asyncio
from collections.abc import Iterator
from functools import partial

import pytest
import rasa.core.processor
from rasa.core.agent import Agent
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.tensorflow.models import RasaModel

from core.paths import MODEL_PATH
from evaluation.support.reporting import HELDOUT_PATH
from extensions.dialogue.graph_runner import SequentialGraphRunner
from extensions.nlu import diet_prediction, sparse_features
from extensions.rasa_server import install_changes


@pytest.fixture(scope="module")
def agent() -> Iterator[Agent]:
    """The model loaded as the Rasa server loads it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rasa.core.processor, "DaskGraphRunner", DaskGraphRunner)
        patch.setattr(DIET, "_rasa_predict", RasaModel._rasa_predict)
        patch.setattr(Features, "_combine_sparse_features", sparse_features.rasas_join)
        install_changes()
        loaded = Agent.load(str(MODEL_PATH))
        yield loaded


def parse_and_predict(agent: Agent, texts: list[str]) -> list[tuple[dict, str, float, str]]:
    """Each text's parse, and the action, confidence and policy predicted after it."""

    async def run_all() -> list[tuple[dict, str, float, str]]:
        results = []
        for text in texts:
            parsed = await agent.parse_message(text)
            said = UserUttered(text, parsed["intent"], [], parsed)
            tracker = DialogueStateTracker.from_events(
                "rasa-changes", [ActionExecuted(ACTION_LISTEN_NAME), said]
            )
            prediction = agent.processor._predict_next_with_tracker(tracker)
            action = agent.domain.action_names_or_texts[prediction.max_confidence_index]
            results.append((parsed, action, prediction.max_confidence, prediction.policy_name))
        return results

    return asyncio.run(run_all())


def test_every_heldout_message_gets_what_unchanged_rasa_would_give(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [example.get("text") for example in load_data(str(HELDOUT_PATH)).intent_examples]
    runner = agent.processor.graph_runner
    assert isinstance(runner, SequentialGraphRunner)
    assert DIET._rasa_predict is diet_prediction.predict_with_traced_graph
    assert Features._combine_sparse_features is sparse_features.join_sparse_features
    changed = parse_and_predict(agent, texts)
    assert len(diet_prediction.traced_graphs) == 1

    monkeypatch.setattr(runner, "run", partial(DaskGraphRunner.run, runner))
    monkeypatch.setattr(DIET, "_rasa_predict", RasaModel._rasa_predict)
    monkeypatch.setattr(Features, "_combine_sparse_features", sparse_features.rasas_join)
    unchanged = parse_and_predict(agent, texts)

    assert len(texts) >= 150
    assert changed == unchanged
    assert len({action for _, action, _, _ in changed}) >= 5
