"""SelfHarmClassifier: trained, stored and loaded as Rasa does, and its verdicts."""

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from core.emergency import SELF_HARM_KEY
from core.paths import PROJECT_ROOT
from extensions.nlu.self_harm_classifier import SelfHarmClassifier, load_examples, verdict

EXAMPLES = """
self_harm:
  - "i want to end my life"
  - "i am going to kill myself tonight"
  - "everyone would be better off if i was dead"
  - "i have been cutting myself again"
  - "i have saved up enough pills to not wake up"
  - "said goodbye to everyone, i won't be here next week"
not_self_harm:
  - "the wait for my operation is killing me"
  - "i nearly died laughing at the physio"
  - "i would kill for a night of proper sleep"
  - "dying to get back on my bike after the fusion"
"""
ORDINARY = [
    ("how long is recovery after a spinal fusion", "ask_recovery_time"),
    ("will I need a brace afterwards", "ask_brace"),
    ("what is a spinal fusion", "ask_what_is_fusion"),
    ("can I avoid surgery with physio", "ask_alternatives"),
    ("will a fusion limit my movement", "ask_mobility"),
    ("hello", "greet"),
]


def classifier_config(examples: Path) -> dict:
    return {**SelfHarmClassifier.get_default_config(), "examples": str(examples)}


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A folder of examples, as data/safety/ is."""
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "round_one.yml").write_text(EXAMPLES, encoding="utf-8")
    return folder


def test_trained_stored_and_loaded_it_scores_self_harm_above_ordinary_questions(
    tmp_path: Path, examples: Path
) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("self_harm_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    config = classifier_config(examples)
    trained = SelfHarmClassifier.create(config, storage, resource, context)
    trained.train(
        TrainingData([Message({TEXT: text, INTENT: intent}) for text, intent in ORDINARY])
    )
    loaded = SelfHarmClassifier.load(config, storage, resource, context)
    messages = [Message({TEXT: "i want to kill myself"}), Message({TEXT: "how long is recovery"})]
    harm, ordinary = (message.get(SELF_HARM_KEY) for message in loaded.process(messages))
    assert harm["probability"] > ordinary["probability"]
    assert ordinary["verdict"] is None


def test_an_untrained_classifier_refuses_to_guess(examples: Path, tmp_path: Path) -> None:
    classifier = SelfHarmClassifier.create(
        classifier_config(examples),
        LocalModelStorage(tmp_path),
        Resource("untrained"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    with pytest.raises(RuntimeError, match="make train"):
        classifier.process([Message({TEXT: "hello"})])


def test_editing_or_adding_examples_changes_the_fingerprint(examples: Path) -> None:
    def fingerprint() -> str:
        return SelfHarmClassifier.fingerprint_addon(classifier_config(examples))

    first = fingerprint()
    assert fingerprint() == first
    (examples / "round_one.yml").write_text(EXAMPLES + '  - "one more"\n', encoding="utf-8")
    second = fingerprint()
    (examples / "round_two.yml").write_text('not_self_harm: ["hello there"]\n', encoding="utf-8")
    assert len({first, second, fingerprint()}) == 3


@pytest.mark.parametrize(
    ("probability", "expected"),
    [(0.95, "certain"), (0.9, "certain"), (0.7, "possible"), (0.5, "possible"), (0.49, None)],
)
def test_verdicts(probability: float, expected: str | None) -> None:
    assert verdict(probability, possible=0.5, certain=0.9) == expected


@pytest.mark.parametrize(
    "broken",
    [
        "self_harm: []\nnot_self_harm: [a]\n",
        "self_harm: [a]\nsome_other_list: [b]\n",
        "self_harm: [a, 3]\nnot_self_harm: [b]\n",
        "self_harm: [a, '  ']\nnot_self_harm: [b]\n",
        "",
        "- just a list\n",
    ],
)
def test_a_broken_examples_file_is_refused_with_its_name(tmp_path: Path, broken: str) -> None:
    (tmp_path / "broken.yml").write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.yml"):
        load_examples(tmp_path)


def test_a_folder_without_both_kinds_of_example_is_refused(tmp_path: Path) -> None:
    (tmp_path / "only_positives.yml").write_text("self_harm: [a]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="both"):
        load_examples(tmp_path)


def test_the_project_examples_load() -> None:
    positives, negatives = load_examples(PROJECT_ROOT / "data" / "safety")
    assert len(positives) >= 1000 and len(negatives) >= 1000
    assert not set(positives) & set(negatives)
