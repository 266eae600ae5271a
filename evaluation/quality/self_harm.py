"""Choosing SelfHarmClassifier's two thresholds from messages it did not learn from.

Every example of data/safety/ and every NLU training example gets a probability from a model
that never saw it, twice: 5-fold out of fold, and with each writer's file held out whole (the
share of new writers' messages it gets right, which is what patients are). The tables show, per
threshold, how many statements of self-harm reach it (recall) and how many look-alikes and
ordinary questions do (false alarms).
`python -m evaluation.quality.self_harm [--dense-weight W ...]`: reports/evaluation/self_harm.md.
"""

import argparse
from collections.abc import Callable, Sequence

import numpy as np
import spacy
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

from core.paths import SPACY_PIPELINE
from evaluation.support.reporting import PROJECT_ROOT, markdown_table
from extensions.nlu.red_flags import RedFlagMatcher
from extensions.nlu.self_harm_classifier import (
    SelfHarmClassifier,
    SelfHarmModel,
    load_example_files,
)
from extensions.nlu.word_llama import WordLlama

OUTPUT = PROJECT_ROOT / "reports" / "evaluation" / "self_harm.md"
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
FOLDS = 5
POSITIVE, LOOK_ALIKE, ORDINARY = "self_harm", "not_self_harm", "data/nlu"


def held_out_probabilities(
    texts: list[str],
    groups: list[str],
    folds: list[tuple[np.ndarray, np.ndarray]],
    model: Callable[[], SelfHarmModel],
) -> np.ndarray:
    """Each text's probability from a model trained on the folds that do not hold it."""
    labels = np.array([group == POSITIVE for group in groups], dtype=int)
    probabilities = np.zeros(len(texts))
    for train, test in folds:
        fitted = model().fit([texts[i] for i in train], labels[train].tolist())
        probabilities[test] = fitted.probabilities([texts[i] for i in test])
    return probabilities


def stratified_folds(groups: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    random_state = SelfHarmClassifier.get_default_config()["random_state"]
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=random_state)
    return list(folds.split(groups, groups))


def writer_folds(writers: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """One fold a file of data/safety/; the ordinary questions dealt out among the folds."""
    files = sorted({writer for writer in writers if writer != ORDINARY})
    fold_of = [
        writer if writer != ORDINARY else files[index % len(files)]
        for index, writer in enumerate(writers)
    ]
    return list(LeaveOneGroupOut().split(writers, groups=fold_of))


def threshold_rows(
    probabilities: np.ndarray, groups: Sequence[str], by_patterns: np.ndarray
) -> list[list[str]]:
    """Per threshold and group: texts the classifier sends to the crisis line, then those the
    crisis line reaches once the patterns' own self-harm findings are added.
    """
    group_array = np.array(groups)
    rows = []
    for threshold in THRESHOLDS:
        reached = probabilities >= threshold
        row = [f"{threshold:.2f}"]
        for group in (POSITIVE, LOOK_ALIKE, ORDINARY):
            members = group_array == group
            alone = int(reached[members].sum())
            with_patterns = int((reached | by_patterns)[members].sum())
            row.append(f"{alone}/{int(members.sum())}, {with_patterns}")
        rows.append(row)
    return rows


def self_harm_by_patterns(texts: list[str]) -> np.ndarray:
    """Which texts the reviewed patterns already give the crisis line, as the server parses them."""
    nlp = spacy.load(SPACY_PIPELINE)
    matcher = RedFlagMatcher(nlp.vocab)
    found = [matcher.find(doc) for doc in nlp.pipe(text.lower() for text in texts)]
    return np.array([flag is not None and flag.kind == POSITIVE for flag in found])


def section(
    title: str,
    probabilities: np.ndarray,
    texts: list[str],
    groups: list[str],
    by_patterns: np.ndarray,
) -> str:
    """The threshold table and the statements that scored lowest, of those the patterns miss."""
    table = markdown_table(
        ["threshold", "self-harm reached", "look-alikes reached", "ordinary reached"],
        threshold_rows(probabilities, groups, by_patterns),
    )
    missed = np.flatnonzero((np.array(groups) == POSITIVE) & ~by_patterns)
    ranked = sorted((probabilities[i], texts[i]) for i in missed)
    lowest = "\n".join(f"- {p:.3f} {text}" for p, text in ranked[:10])
    return f"## {title}\n\n{table}\n\nLowest self-harm:\n{lowest}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dense-weight", type=float, nargs="+", default=[0.0, 1.0, 2.0])
    args = parser.parse_args()
    config = SelfHarmClassifier.get_default_config()
    texts, groups, writers = [], [], []
    for name, lists in load_example_files(PROJECT_ROOT / config["examples"]).items():
        for group, key in ((POSITIVE, "self_harm"), (LOOK_ALIKE, "not_self_harm")):
            texts += lists[key]
            groups += [group] * len(lists[key])
            writers += [name] * len(lists[key])
    ordinary = [m.get(TEXT) for m in load_data(str(PROJECT_ROOT / "data" / "nlu")).intent_examples]
    texts += ordinary
    groups += [ORDINARY] * len(ordinary)
    writers += [ORDINARY] * len(ordinary)
    embedder = WordLlama()
    by_patterns = self_harm_by_patterns(texts)
    sections = []
    for weight in args.dense_weight:

        def model(weight: float = weight) -> SelfHarmModel:
            return SelfHarmModel(
                embedder, weight, C=config["C"], random_state=config["random_state"]
            )

        for title, folds in (
            (f"{FOLDS}-fold, WordLlama weight {weight}", stratified_folds(groups)),
            (f"each writer held out, WordLlama weight {weight}", writer_folds(writers)),
        ):
            probabilities = held_out_probabilities(texts, groups, folds, model)
            sections.append(section(title, probabilities, texts, groups, by_patterns))
            print(sections[-1])
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(
        "# SelfHarmClassifier, probabilities of examples it did not learn from\n\n"
        "Each cell: texts at or above the threshold, then texts the crisis line reaches with the "
        "patterns' own self-harm findings.\n\n" + "\n".join(sections),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
