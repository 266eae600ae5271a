"""NLU quality on held-out examples that no training file contains: macro F1 of 0.90 or more."""

import asyncio
from collections import Counter

import pytest
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import classification_report, f1_score

from core.paths import MODEL_PATH
from evaluation.support.reporting import HELDOUT_PATH

MIN_MACRO_F1 = 0.90


@pytest.fixture(scope="module")
def predictions() -> tuple[list[str], list[str], list[dict], list[dict]]:
    """Gold and predicted intents and entities for every held-out example."""
    examples = load_data(str(HELDOUT_PATH)).intent_examples
    agent = Agent.load(str(MODEL_PATH))

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(example.get("text")) for example in examples]

    parsed = asyncio.run(parse_all())
    gold = [example.get("intent") for example in examples]
    predicted = [result["intent"]["name"] for result in parsed]
    gold_entities = [example.get("entities") or [] for example in examples]
    predicted_entities = [result.get("entities") or [] for result in parsed]
    return gold, predicted, gold_entities, predicted_entities


def test_heldout_set_is_large_and_unseen() -> None:
    heldout = {e.get("text").lower() for e in load_data(str(HELDOUT_PATH)).intent_examples}
    training = {e.get("text").lower() for e in load_data("data/nlu").intent_examples}
    assert len(heldout) >= 150
    assert not heldout & training


def test_intent_macro_f1(predictions: tuple) -> None:
    gold, predicted, _, _ = predictions
    labels = sorted(set(gold))
    print("\n" + classification_report(gold, predicted, labels=labels, digits=3, zero_division=0))
    macro_f1 = f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)
    print(f"held-out examples: {len(gold)}  intent macro F1: {macro_f1:.3f}")
    assert macro_f1 >= MIN_MACRO_F1


def entity_counts(gold: list[dict], predicted: list[dict]) -> Counter:
    """True/false positives and false negatives by entity type, matching type and value."""
    counts: Counter = Counter()
    for gold_entities, predicted_entities in zip(gold, predicted, strict=True):
        expected = {(e["entity"], str(e["value"]).lower()) for e in gold_entities}
        found = {(e["entity"], str(e["value"]).lower()) for e in predicted_entities}
        for entity_type, _ in found & expected:
            counts[entity_type, "tp"] += 1
        for entity_type, _ in found - expected:
            counts[entity_type, "fp"] += 1
        for entity_type, _ in expected - found:
            counts[entity_type, "fn"] += 1
    return counts


def test_entity_f1(predictions: tuple) -> None:
    _, _, gold, predicted = predictions
    counts = entity_counts(gold, predicted)
    scores = {}
    for entity_type in ("activity", "treatment", "spine_region"):
        tp, fp, fn = (counts[entity_type, kind] for kind in ("tp", "fp", "fn"))
        scores[entity_type] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        print(f"{entity_type:13} tp={tp:3} fp={fp:3} fn={fn:3} F1={scores[entity_type]:.3f}")
    assert min(scores.values()) >= 0.80
