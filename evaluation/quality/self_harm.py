"""Choosing SelfHarmClassifier's two thresholds from messages it did not learn from.

Every example of data/safety/ and every NLU training example gets a probability
from a model trained on the other folds; the table shows, per threshold, how many statements of
self-harm reach it (recall) and how many look-alikes and ordinary questions do (false alarms).
`python -m evaluation.self_harm [--dense-weight W ...]`: reports/evaluation/self_harm.md.
"""

import argparse
from collections.abc import Sequence

import numpy as np
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.model_selection import StratifiedKFold

from evaluation.support.reporting import PROJECT_ROOT, markdown_table
from extensions.nlu.self_harm_classifier import SelfHarmClassifier, SelfHarmModel, load_examples
from extensions.nlu.word_llama import WordLlama

OUTPUT = PROJECT_ROOT / "reports" / "evaluation" / "self_harm.md"
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
FOLDS = 5
POSITIVE, LOOK_ALIKE, ORDINARY = "self_harm", "not_self_harm", "data/nlu"


def out_of_fold(
    texts: list[str], groups: list[str], embedder: WordLlama, dense_weight: float
) -> np.ndarray:
    """Each text's probability from a model that never saw it."""
    config = SelfHarmClassifier.get_default_config()
    labels = np.array([group == POSITIVE for group in groups], dtype=int)
    probabilities = np.zeros(len(texts))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=config["random_state"])
    for train, test in folds.split(texts, groups):
        model = SelfHarmModel(
            embedder, dense_weight, C=config["C"], random_state=config["random_state"]
        ).fit([texts[i] for i in train], labels[train].tolist())
        probabilities[test] = model.probabilities([texts[i] for i in test])
    return probabilities


def threshold_rows(probabilities: np.ndarray, groups: Sequence[str]) -> list[list[str]]:
    """Per threshold: recall of self-harm, false alarms among look-alikes and ordinary texts."""
    group_array = np.array(groups)
    rows = []
    for threshold in THRESHOLDS:
        reached = probabilities >= threshold
        row = [f"{threshold:.2f}"]
        for group in (POSITIVE, LOOK_ALIKE, ORDINARY):
            members = group_array == group
            row.append(f"{int(reached[members].sum())}/{int(members.sum())}")
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dense-weight", type=float, nargs="+", default=[0.0, 1.0, 2.0])
    args = parser.parse_args()
    positives, look_alikes = load_examples(
        PROJECT_ROOT / SelfHarmClassifier.get_default_config()["examples"]
    )
    ordinary = [m.get(TEXT) for m in load_data(str(PROJECT_ROOT / "data" / "nlu")).intent_examples]
    texts = [*positives, *look_alikes, *ordinary]
    groups = (
        [POSITIVE] * len(positives) + [LOOK_ALIKE] * len(look_alikes) + [ORDINARY] * len(ordinary)
    )
    embedder = WordLlama()
    sections = []
    for weight in args.dense_weight:
        probabilities = out_of_fold(texts, groups, embedder, weight)
        table = markdown_table(
            ["threshold", "self-harm reached", "look-alikes reached", "ordinary reached"],
            threshold_rows(probabilities, groups),
        )
        scored = zip(probabilities, texts, groups, strict=True)
        ranked = sorted((p, text) for p, text, group in scored if group == POSITIVE)
        lowest = "\n".join(f"- {p:.3f} {text}" for p, text in ranked[:10])
        sections.append(f"## WordLlama weight {weight}\n\n{table}\n\nLowest self-harm:\n{lowest}\n")
        print(sections[-1])
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(
        f"# SelfHarmClassifier, {FOLDS}-fold out-of-fold probabilities\n\n" + "\n".join(sections),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
