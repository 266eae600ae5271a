"""Scores shared by the evaluation and the benchmark, free of Rasa imports so tests stay fast."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

OUT_OF_SCOPE = "out_of_scope"
# Both refuse to guess and get the same answer (data/rules/fallback.yml).
REFUSALS = frozenset({OUT_OF_SCOPE, "nlu_fallback"})


@dataclass(frozen=True)
class IntentScores:
    accuracy: float
    macro_f1: float
    out_of_scope_accuracy: float


def intent_scores(gold: Sequence[str], predicted: Sequence[str]) -> IntentScores:
    """Accuracy and macro F1 as `make test` counts them, plus out-of-scope accuracy.

    Macro F1 averages over the gold intents, so a prediction outside them (nlu_fallback,
    emergency) is simply wrong; on out-of-scope messages any refusal counts as right.
    """
    labels = sorted(set(gold))
    out_of_scope = [p for g, p in zip(gold, predicted, strict=True) if g == OUT_OF_SCOPE]
    return IntentScores(
        accuracy=accuracy_score(gold, predicted),
        macro_f1=f1_score(gold, predicted, labels=labels, average="macro", zero_division=0),
        out_of_scope_accuracy=(
            sum(p in REFUSALS for p in out_of_scope) / len(out_of_scope)
            if out_of_scope
            else math.nan
        ),
    )


def entity_f1(
    gold: Sequence[list[dict[str, Any]]], predicted: Sequence[list[dict[str, Any]]]
) -> float:
    """Micro F1 over (type, value) pairs per message, as tests/e2e/test_nlu_heldout.py matches."""
    true_positives = false_positives = false_negatives = 0
    for gold_entities, predicted_entities in zip(gold, predicted, strict=True):
        expected = {(e["entity"], str(e["value"]).lower()) for e in gold_entities}
        found = {(e["entity"], str(e["value"]).lower()) for e in predicted_entities}
        true_positives += len(found & expected)
        false_positives += len(found - expected)
        false_negatives += len(expected - found)
    if not true_positives:
        return 0.0
    return 2 * true_positives / (2 * true_positives + false_positives + false_negatives)


def percentile(values: Sequence[float], q: float) -> float:
    """numpy's q-th percentile (0-100), but undefined (NaN) for no values instead of an error."""
    return float(np.percentile(values, q)) if len(values) else math.nan
