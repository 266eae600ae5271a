"""The trained model parses and predicts the same with the sequential runner as with dask."""

import asyncio
from functools import partial

import pytest
import rasa.core.processor
from rasa.core.agent import Agent
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.loading import load_data

from core.paths import MODEL_PATH
from evaluation.reporting import HELDOUT_PATH
from extensions.dialogue import graph_runner
from extensions.dialogue.graph_runner import SequentialGraphRunner


@pytest.fixture(scope="module")
def agent() -> Agent:
    """The model loaded as the Rasa server loads it, with the runner installed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rasa.core.processor, "DaskGraphRunner", DaskGraphRunner)
        graph_runner.install()
        loaded = Agent.load(str(MODEL_PATH))
    assert isinstance(loaded.processor.graph_runner, SequentialGraphRunner)
    return loaded


def parse_and_predict(agent: Agent, texts: list[str]) -> list[tuple[dict, str, float, str]]:
    """Each text's parse, and the action, confidence and policy predicted after it."""

    async def run_all() -> list[tuple[dict, str, float, str]]:
        results = []
        for text in texts:
            parsed = await agent.parse_message(text)
            said = UserUttered(text, parsed["intent"], [], parsed)
            tracker = DialogueStateTracker.from_events(
                "graph-runner", [ActionExecuted(ACTION_LISTEN_NAME), said]
            )
            prediction = agent.processor._predict_next_with_tracker(tracker)
            action = agent.domain.action_names_or_texts[prediction.max_confidence_index]
            results.append((parsed, action, prediction.max_confidence, prediction.policy_name))
        return results

    return asyncio.run(run_all())


def test_every_heldout_message_gets_what_dask_would_give(
    agent: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [example.get("text") for example in load_data(str(HELDOUT_PATH)).intent_examples]
    sequential = parse_and_predict(agent, texts)

    runner = agent.processor.graph_runner
    monkeypatch.setattr(runner, "run", partial(DaskGraphRunner.run, runner))
    with_dask = parse_and_predict(agent, texts)

    assert len(texts) >= 150
    assert sequential == with_dask
    assert len({action for _, action, _, _ in sequential}) >= 5
