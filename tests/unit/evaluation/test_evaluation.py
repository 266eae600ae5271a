"""The helpers behind `make evaluate` and `make bench` count what they claim to count."""

import asyncio
import math
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from evaluation.quality.baselines import KeywordClassifier, tfidf_logistic_regression
from evaluation.quality.compare import (
    FOLDS,
    TRAINING_PATH,
    EstimatorCandidate,
    cross_validate,
    write_folds,
    write_writer_folds,
    writer_of,
)
from evaluation.speed.bench import (
    long_conversation_row,
    parent_pid,
    server_name,
    status_kb,
    summarize,
    window_p50s_ms,
)
from evaluation.speed.message_profile import REST, WHOLE_MESSAGE, breakdown, timed_stages
from evaluation.support.metrics import entity_f1, intent_scores, percentile
from evaluation.support.reporting import cpu_model, markdown_table

TEXTS = [
    "how long is the recovery",
    "how long until I am back at work",
    "can I play golf after the fusion",
    "will I still be able to play tennis",
    "hello there",
    "hi",
]
INTENTS = [
    "ask_recovery_time",
    "ask_recovery_time",
    "ask_mobility",
    "ask_mobility",
    "greet",
    "greet",
]


def test_macro_f1_averages_over_the_gold_intents_only() -> None:
    scores = intent_scores(["greet", "greet", "goodbye"], ["greet", "nlu_fallback", "goodbye"])
    assert scores.accuracy == pytest.approx(2 / 3)
    # greet: precision 1, recall 1/2; goodbye: 1 and 1. nlu_fallback is no label of its own.
    assert scores.macro_f1 == pytest.approx((2 / 3 + 1) / 2)


def test_out_of_scope_accuracy_counts_a_fallback_as_a_refusal() -> None:
    gold = ["out_of_scope", "out_of_scope", "out_of_scope", "greet"]
    predicted = ["out_of_scope", "nlu_fallback", "greet", "nlu_fallback"]
    assert intent_scores(gold, predicted).out_of_scope_accuracy == pytest.approx(2 / 3)


def test_out_of_scope_accuracy_is_undefined_without_out_of_scope_messages() -> None:
    assert math.isnan(intent_scores(["greet"], ["greet"]).out_of_scope_accuracy)


def test_entity_f1_matches_type_and_value_case_insensitively() -> None:
    gold = [[{"entity": "activity", "value": "Golf"}], [{"entity": "spine_region", "value": "L4"}]]
    predicted = [
        [{"entity": "activity", "value": "golf"}, {"entity": "treatment", "value": "brace"}],
        [],
    ]
    # One true positive, one false positive, one false negative.
    assert entity_f1(gold, predicted) == pytest.approx(0.5)
    assert entity_f1([[]], [[]]) == 0.0


def test_percentile_of_nothing_is_undefined() -> None:
    assert math.isnan(percentile([], 50))


def test_keyword_baseline_picks_the_intent_sharing_most_keywords() -> None:
    classifier = KeywordClassifier().fit(TEXTS, INTENTS)
    assert classifier.predict(["how long is recovery", "could I play golf"]) == [
        "ask_recovery_time",
        "ask_mobility",
    ]


def test_keyword_baseline_calls_a_message_without_keywords_out_of_scope() -> None:
    classifier = KeywordClassifier().fit(TEXTS, INTENTS)
    assert classifier.predict_one("what does insurance pay") == "out_of_scope"


def test_keyword_baseline_ignores_words_shared_across_intents() -> None:
    classifier = KeywordClassifier(min_share=0.6).fit(TEXTS, INTENTS)
    # "the" is in both a recovery and a mobility example: half its uses each.
    assert "the" not in classifier.keywords["ask_recovery_time"]
    assert "long" in classifier.keywords["ask_recovery_time"]


def test_tfidf_baseline_learns_the_examples() -> None:
    model = tfidf_logistic_regression().fit(TEXTS, INTENTS)
    assert list(model.predict(TEXTS)) == INTENTS


def test_folds_split_the_training_data_by_intent(tmp_path: Path) -> None:
    folds = write_folds(tmp_path)
    training = load_data(str(TRAINING_PATH)).intent_examples
    tested = [example.get("text") for _, test in folds for example in test]
    assert len(folds) == FOLDS
    assert sorted(tested) == sorted(example.get("text") for example in training)
    first_training_file, first_test = folds[0]
    trained_on = {e.get("text") for e in load_data(str(first_training_file)).intent_examples}
    assert not trained_on & {example.get("text") for example in first_test}
    assert {e.get("intent") for e in first_test} == {e.get("intent") for e in training}


def test_cross_validation_pools_every_fold(tmp_path: Path) -> None:
    folds = write_folds(tmp_path)
    candidate = EstimatorCandidate("keywords", KeywordClassifier())
    pooled, per_fold = asyncio.run(cross_validate(candidate, folds))
    assert len(per_fold) == FOLDS
    sizes = [len(test) for _, test in folds]
    weighted = sum(s.accuracy * n for s, n in zip(per_fold, sizes, strict=True)) / sum(sizes)
    assert pooled.accuracy == pytest.approx(weighted)


def test_each_writer_is_held_out_whole_and_trained_on_by_the_others(tmp_path: Path) -> None:
    training = load_data(str(TRAINING_PATH)).intent_examples
    folds = write_writer_folds(tmp_path)
    assert len(folds) >= 2
    for training_file, held_out in folds:
        (writer,) = {writer_of(example) for example in held_out}
        trained_on = load_data(str(training_file)).intent_examples
        written = [e for e in training if writer_of(e) == writer]
        assert len(trained_on) + len(written) == len(training)
        assert writer not in {writer_of(example) for example in trained_on}
        # Tested on every example of an intent the others wrote, and only on those.
        learnable = {example.get("intent") for example in trained_on}
        assert held_out == [e for e in written if e.get("intent") in learnable]


def test_a_writer_of_intents_nobody_else_wrote_gets_no_fold(tmp_path: Path) -> None:
    training = load_data(str(TRAINING_PATH)).intent_examples
    intents_by_writer: dict[str, set[str]] = {}
    for example in training:
        intents_by_writer.setdefault(writer_of(example), set()).add(example.get("intent"))
    alone = {
        writer
        for writer, intents in intents_by_writer.items()
        if not any(intents & others for w, others in intents_by_writer.items() if w != writer)
    }
    folded = {writer_of(held_out[0]) for _, held_out in write_writer_folds(tmp_path)}
    assert folded == set(intents_by_writer) - alone


def test_a_level_summary_gives_milliseconds_and_throughput() -> None:
    level = summarize(8, [0.010, 0.020, 0.030, 0.040, 0.050], errors=1, seconds=0.5)
    assert (level.messages, level.errors) == (5, 1)
    assert level.p50_ms == pytest.approx(30.0)
    assert level.messages_per_second == pytest.approx(10.0)


def test_proc_files_give_parent_and_memory() -> None:
    assert parent_pid("4242 (rasa run (x)) S 4200 4242 4200 0 -1") == 4200
    status = "Name:\tpython3.10\nVmHWM:\t  912344 kB\nVmRSS:\t  797264 kB\n"
    assert status_kb(status, "VmRSS") == 797264
    assert status_kb(status, "VmHWM") == 912344


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        (
            [".venv/bin/python", ".venv/bin/rasa", "run", "actions", "--port", "5055"],
            "action_server",
        ),
        (
            [".venv/bin/python", "-m", "extensions.rasa_server", "run", "--model", "m"],
            "rasa_server",
        ),
        (["sleep", "1"], None),
    ],
)
def test_the_run_scripts_helpers_are_no_server(arguments: list[str], name: str | None) -> None:
    assert server_name(arguments) == name


def test_cpu_model_and_markdown_table() -> None:
    assert cpu_model("processor\t: 0\nmodel name\t: AMD EPYC\n") == "AMD EPYC"
    assert markdown_table(["a", "b"], [[1, "x"]]) == "| a | b |\n| --- | --- |\n| 1 | x |"


class Stage:
    """Stands in for a Rasa class whose methods the profile times."""

    def parse(self, text: str) -> str:
        return text.upper()

    async def respond(self, text: str) -> str:
        await asyncio.sleep(0.01)
        return text


def test_timed_stages_time_sync_and_async_methods_then_restore_them() -> None:
    original_parse = Stage.parse
    stage = Stage()
    with timed_stages({"parse": (Stage, "parse"), "respond": (Stage, "respond")}) as seconds:
        assert stage.parse("hi") == "HI"
        assert asyncio.run(stage.respond("hi")) == "hi"
    # The awaited sleep is inside the async method's time; no race between the two stages.
    assert seconds["parse"] > 0
    assert seconds["respond"] >= 0.009
    assert Stage.parse is original_parse


def test_breakdown_gives_each_stage_per_message_and_what_none_covers() -> None:
    seconds = {"NLU": 0.2, "policies": 0.1, WHOLE_MESSAGE: 0.4}
    rows = breakdown(seconds, messages=10)
    assert rows[0] == ["NLU", "20.0 ms", "50%"]
    assert rows[-2] == [REST, "10.0 ms", "25%"]
    assert rows[-1] == [WHOLE_MESSAGE, "40.0 ms", "100%"]


def test_the_long_conversation_windows_and_their_ratios() -> None:
    latencies = [0.1] * 36 + [0.2] * 264 + [0.15] * 700
    p50s = window_p50s_ms(latencies)
    assert p50s == pytest.approx({"7-36": 100.0, "281-300": 200.0, "981-1000": 150.0})
    assert long_conversation_row(p50s)[1] == "2.00 / 1.50"
    assert window_p50s_ms(latencies[:400]).keys() == {"7-36", "281-300"}
