"""`make evaluate`: our NLU pipeline beside Rasa's default pipeline and two simple baselines,
then the whole assistant end to end on the development set written outside the project.

Every candidate trains on data/nlu and is scored on tests/nlu/heldout.yml, in one run, and all
but Rasa's default (eight minutes a training here) are cross-validated on data/nlu. Rasa's own
reports on our pipeline go beside the tables, in reports/evaluation/.
"""

import asyncio
import json
import logging
import os
import pickle
import shutil
import subprocess
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.constants import ENTITIES, INTENT, METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.log_utils import configure_structlog
from sklearn.base import BaseEstimator
from sklearn.model_selection import StratifiedKFold

from evaluation.quality.baselines import KeywordClassifier, tfidf_logistic_regression
from evaluation.quality.dev_set_report import evaluate_dev_set
from evaluation.support.metrics import (
    OUT_OF_SCOPE,
    IntentScores,
    entity_f1,
    intent_scores,
    percentile,
)
from evaluation.support.reporting import (
    HELDOUT_PATH,
    PROJECT_ROOT,
    RASA,
    context,
    describe,
    markdown_table,
)

TRAINING_PATH = PROJECT_ROOT / "data" / "nlu"
DOMAIN_PATH = PROJECT_ROOT / "domain.yml"
OUR_CONFIG = PROJECT_ROOT / "config.yml"
RASA_DEFAULT_CONFIG = Path(__file__).with_name("rasa_default_config.yml")
OUTPUT = PROJECT_ROOT / "reports" / "evaluation"
CONFUSION_MATRIX_DOC = PROJECT_ROOT / "docs" / "confusion_matrix.png"
DEV_SET_CONFUSION_DOC = PROJECT_ROOT / "docs" / "dev_set_confusion_matrix.png"
FOLDS = 5
WRITER = "writer"
OURS = "(a) ours: config.yml"


@dataclass(frozen=True)
class Prediction:
    intent: str
    # None when the candidate extracts no entities at all.
    entities: list[dict[str, Any]] | None


class Candidate(Protocol):
    name: str

    def train(self, training: Path) -> float:
        """Train afresh on the examples in `training`; the seconds it took."""

    async def parse(self, text: str) -> Prediction: ...

    def size_bytes(self) -> int: ...


class RasaCandidate:
    """A Rasa NLU pipeline, parsed through Agent just as the Rasa server parses a message."""

    def __init__(self, name: str, config: Path, model_dir: Path) -> None:
        self.name = name
        self.config = config
        self.model_dir = model_dir
        self._model_path: Path | None = None
        self._agent: Agent | None = None

    @property
    def model_path(self) -> Path:
        if self._model_path is None:
            raise RuntimeError(f"{self.name} has no model before train()")
        return self._model_path

    def train(self, training: Path) -> float:
        started = time.perf_counter()
        self._model_path = Path(
            train_nlu(
                str(self.config),
                str(training),
                str(self.model_dir),
                fixed_model_name=self.config.stem,
                domain=str(DOMAIN_PATH),
            )
        )
        seconds = time.perf_counter() - started
        self._agent = Agent.load(str(self.model_path))
        return seconds

    async def parse(self, text: str) -> Prediction:
        if self._agent is None:
            raise RuntimeError(f"{self.name} cannot parse before train()")
        result = await self._agent.parse_message(text)
        return Prediction(result[INTENT]["name"], result.get(ENTITIES) or [])

    def size_bytes(self) -> int:
        return self.model_path.stat().st_size


class EstimatorCandidate:
    """A scikit-learn style classifier on the same training examples; it extracts no entities."""

    def __init__(self, name: str, estimator: BaseEstimator) -> None:
        self.name = name
        self.estimator = estimator

    def train(self, training: Path) -> float:
        examples = load_data(str(training)).intent_examples
        started = time.perf_counter()
        self.estimator.fit([e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples])
        return time.perf_counter() - started

    async def parse(self, text: str) -> Prediction:
        return Prediction(self.estimator.predict([text])[0], None)

    def size_bytes(self) -> int:
        return len(pickle.dumps(self.estimator))


@dataclass(frozen=True)
class Result:
    name: str
    scores: IntentScores
    entity_f1: float | None
    training_seconds: float
    parse_ms: float
    size_bytes: int


async def timed_predictions(
    candidate: Candidate, examples: list[Message]
) -> tuple[list[Prediction], list[float]]:
    """Parse the messages one by one, as users send them, and time each."""
    # The first parse builds what later ones reuse (TensorFlow functions): keep it out.
    await candidate.parse(examples[0].get(TEXT))
    predictions, seconds = [], []
    for example in examples:
        started = time.perf_counter()
        predictions.append(await candidate.parse(example.get(TEXT)))
        seconds.append(time.perf_counter() - started)
    return predictions, seconds


async def evaluate(candidate: Candidate, heldout: list[Message]) -> Result:
    """Train on data/nlu, score on the held-out messages."""
    training_seconds = candidate.train(TRAINING_PATH)
    predictions, seconds = await timed_predictions(candidate, heldout)
    extracts_entities = all(p.entities is not None for p in predictions)
    return Result(
        name=candidate.name,
        scores=intent_scores([e.get(INTENT) for e in heldout], [p.intent for p in predictions]),
        entity_f1=(
            entity_f1(
                [e.get(ENTITIES) or [] for e in heldout], [p.entities or [] for p in predictions]
            )
            if extracts_entities
            else None
        ),
        training_seconds=training_seconds,
        parse_ms=percentile(seconds, 50) * 1000,
        size_bytes=candidate.size_bytes(),
    )


def rasa_test_nlu(log: Path, *arguments: str) -> None:
    """Rasa's own `rasa test nlu`, whose reports and plots are kept as Rasa writes them."""
    with log.open("a") as output:
        subprocess.run(
            [str(RASA), "test", "nlu", *arguments],
            cwd=PROJECT_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=True,
        )


def write_folds(directory: Path) -> list[tuple[Path, list[Message]]]:
    """Stratified folds of data/nlu, the same for every candidate: training file, test examples.

    `rasa test nlu --cross-validation` cannot serve here: it undoes the FallbackClassifier's
    prediction before scoring, so it never shows what the threshold refuses.
    """
    data = load_data(str(TRAINING_PATH))
    examples = data.intent_examples
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=2024)
    written = []
    for number, (train, test) in enumerate(
        folds.split(examples, [e.get(INTENT) for e in examples])
    ):
        path = directory / f"fold-{number}.yml"
        RasaYAMLWriter().dump(
            path,
            TrainingData([examples[i] for i in train], entity_synonyms=data.entity_synonyms),
        )
        written.append((path, [examples[i] for i in test]))
    return written


def writer_of(example: Message) -> str:
    """The round or writer that wrote an example, as its intent block's metadata says."""
    writer = ((example.get(METADATA) or {}).get(METADATA_INTENT) or {}).get(WRITER)
    if not writer:
        raise ValueError(f"no `writer` in the metadata of the block of {example.get(TEXT)!r}")
    return str(writer)


def write_writer_folds(directory: Path) -> list[tuple[Path, list[Message]]]:
    """One fold a writer of data/nlu: trained on every other writer's examples, tested on its own.

    The project's measure of generalisation: a writer held out whole is a new style of writing,
    as a patient is, where a stratified fold shares the style of its training examples. An
    intent that only this writer wrote cannot be learnt from the rest, so its examples are not
    tested in this fold; a writer of nothing but such intents has no fold.
    """
    data = load_data(str(TRAINING_PATH))
    by_writer: dict[str, list[Message]] = defaultdict(list)
    for example in data.intent_examples:
        by_writer[writer_of(example)].append(example)
    written = []
    for writer, examples in sorted(by_writer.items()):
        rest = [e for e in data.intent_examples if writer_of(e) != writer]
        learnable = {e.get(INTENT) for e in rest}
        held_out = [e for e in examples if e.get(INTENT) in learnable]
        if not held_out:
            continue
        path = directory / f"without-{writer}.yml"
        RasaYAMLWriter().dump(path, TrainingData(rest, entity_synonyms=data.entity_synonyms))
        written.append((path, held_out))
    return written


async def cross_validate(
    candidate: Candidate, folds: list[tuple[Path, list[Message]]]
) -> tuple[IntentScores, list[IntentScores]]:
    """Each fold's test part parsed by the candidate trained on the rest: pooled, and per fold."""
    gold, predicted, per_fold = [], [], []
    for training, test in folds:
        candidate.train(training)
        predictions, _ = await timed_predictions(candidate, test)
        fold_gold, fold_predicted = [e.get(INTENT) for e in test], [p.intent for p in predictions]
        per_fold.append(intent_scores(fold_gold, fold_predicted))
        gold += fold_gold
        predicted += fold_predicted
    return intent_scores(gold, predicted), per_fold


def size(size_bytes: int) -> str:
    return f"{size_bytes / 1e6:.1f} MB" if size_bytes >= 1e6 else f"{size_bytes / 1e3:.0f} kB"


def scores_row(scores: IntentScores) -> list[str]:
    return [
        f"{scores.accuracy:.3f}",
        f"{scores.macro_f1:.3f}",
        f"{scores.out_of_scope_accuracy:.3f}",
    ]


def writer_table(
    by_writer: dict[str, tuple[IntentScores, list[IntentScores]]],
    folds: list[tuple[Path, list[Message]]],
) -> str:
    """Pooled accuracy with each writer held out, then each writer's own, per candidate."""
    header = ["pipeline", "all writers"]
    header += [f"{path.stem.removeprefix('without-')} ({len(test)})" for path, test in folds]
    rows = [
        [name, f"{pooled.accuracy:.3f}", *(f"{s.accuracy:.3f}" for s in per_writer)]
        for name, (pooled, per_writer) in by_writer.items()
    ]
    return markdown_table(header, rows)


def report(
    results: list[Result],
    cross_validation: dict[str, IntentScores],
    by_writer_table: str,
    heldout: list[Message],
) -> str:
    """The Markdown written to reports/evaluation/results.md and shown in docs/measurements.md."""
    out_of_scope = sum(e.get(INTENT) == OUT_OF_SCOPE for e in heldout)
    intents = len({e.get(INTENT) for e in heldout})
    heldout_table = markdown_table(
        [
            "pipeline",
            "intent accuracy",
            "intent macro F1",
            "out-of-scope accuracy",
            "entity F1",
            "training time",
            "parse time per message",
            "model size",
        ],
        [
            [
                result.name,
                *scores_row(result.scores),
                "n/a" if result.entity_f1 is None else f"{result.entity_f1:.3f}",
                f"{result.training_seconds:.1f} s",
                f"{result.parse_ms:.2f} ms",
                size(result.size_bytes),
            ]
            for result in results
        ],
    )
    cross_validation_table = markdown_table(
        ["pipeline", "intent accuracy", "intent macro F1", "out-of-scope accuracy"],
        [[name, *scores_row(scores)] for name, scores in cross_validation.items()],
    )
    return f"""\
{describe(context())}.

Held-out set: tests/nlu/heldout.yml, {len(heldout)} examples of {intents} intents, none of them in
the training data (data/nlu).

{heldout_table}

{FOLDS}-fold cross-validation on data/nlu (Rasa's default pipeline left out: eight minutes a
training):

{cross_validation_table}

Each writer held out (intent accuracy): trained on every other writing round of data/nlu,
tested on the round held out, whose style it never saw (the `writer` of each intent block):

{by_writer_table}

Macro F1 averages over the intents of the test set, as `make test` does. Out-of-scope accuracy
is the share of out-of-scope messages ({out_of_scope} held out) that get `out_of_scope` or
`nlu_fallback`: both refuse to guess. Entity F1: type and value must both match. Training time
in process, without Rasa's cache; parse time is the median over the held-out messages, in
process. Rasa's own reports (reports/evaluation/heldout, .../cross-validation) show the
classifier's prediction before FallbackClassifier, which `rasa test nlu` undoes.
"""


async def evaluate_all(candidates: list[Candidate], heldout: list[Message]) -> list[Result]:
    return [await evaluate(candidate, heldout) for candidate in candidates]


async def cross_validate_all(
    candidates: list[Candidate], folds: list[tuple[Path, list[Message]]]
) -> dict[str, tuple[IntentScores, list[IntentScores]]]:
    return {candidate.name: await cross_validate(candidate, folds) for candidate in candidates}


def rasa_reports(model: Path) -> None:
    """Rasa's per-intent report, confusion matrix and confidence histogram for our pipeline."""
    log = OUTPUT / "rasa-test-nlu.log"
    heldout_dir = OUTPUT / "heldout"
    rasa_test_nlu(log, "--nlu", str(HELDOUT_PATH), "--model", str(model), "--out", str(heldout_dir))
    shutil.copyfile(heldout_dir / "intent_confusion_matrix.png", CONFUSION_MATRIX_DOC)
    rasa_test_nlu(
        log,
        "--nlu",
        str(TRAINING_PATH),
        "--config",
        str(OUR_CONFIG),
        "--cross-validation",
        "--folds",
        str(FOLDS),
        "--out",
        str(OUTPUT / "cross-validation"),
    )


def main() -> None:
    configure_structlog(logging.WARNING)
    # Time real training: Rasa would otherwise reuse components cached by an earlier run.
    os.environ["RASA_MAX_CACHE_SIZE"] = "0"
    shutil.rmtree(OUTPUT, ignore_errors=True)
    (OUTPUT / "folds").mkdir(parents=True)
    heldout = load_data(str(HELDOUT_PATH)).intent_examples

    ours = RasaCandidate(OURS, OUR_CONFIG, OUTPUT / "models")
    rasa_default = RasaCandidate(
        "(b) Rasa's default pipeline", RASA_DEFAULT_CONFIG, OUTPUT / "models"
    )
    baselines = [
        EstimatorCandidate("(c) TF-IDF + logistic regression", tfidf_logistic_regression()),
        EstimatorCandidate("(d) keyword matching", KeywordClassifier()),
    ]
    results = asyncio.run(evaluate_all([ours, rasa_default, *baselines], heldout))
    rasa_reports(ours.model_path)
    # Our pipeline retrained fold by fold, into its own folder: models/ keeps the one reported.
    candidates: list[Candidate] = [RasaCandidate(OURS, OUR_CONFIG, OUTPUT / "folds"), *baselines]
    folds = asyncio.run(cross_validate_all(candidates, write_folds(OUTPUT / "folds")))
    writer_folds = write_writer_folds(OUTPUT / "folds")
    by_writer = asyncio.run(cross_validate_all(candidates, writer_folds))
    cross_validation = {name: pooled for name, (pooled, _) in folds.items()}

    markdown = report(results, cross_validation, writer_table(by_writer, writer_folds), heldout)
    dev_set = evaluate_dev_set(OUTPUT, DEV_SET_CONFUSION_DOC)
    if dev_set:
        markdown += f"\n{dev_set}"
    (OUTPUT / "results.md").write_text(markdown)
    (OUTPUT / "results.json").write_text(
        json.dumps(
            {
                "context": context(),
                "heldout": [asdict(result) for result in results],
                "cross_validation": {name: asdict(s) for name, s in cross_validation.items()},
                "each_writer_held_out": {
                    name: asdict(pooled) for name, (pooled, _) in by_writer.items()
                },
            },
            indent=2,
        )
    )
    print(markdown)


if __name__ == "__main__":
    main()
