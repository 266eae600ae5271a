"""A message with several questions is split into them, in order, and each is classified."""

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from core.questions import QUESTIONS_KEY
from extensions.nlu.several_questions import SeveralQuestionsClassifier, split_questions


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        (
            "how long is the recovery and can i still bend down?",
            ["how long is the recovery", "can i still bend down?"],
        ),
        (
            "Had mine in June. Will I need a brace? What about physio",
            ["Will I need a brace?", "What about physio"],
        ),
        (
            "is it my only option, also what is it exactly",
            ["is it my only option", "what is it exactly"],
        ),
        ("how long to recover\nwill i be stiff", ["how long to recover", "will i be stiff"]),
        ("recovery and mobility", []),
        ("is physio and rest enough", ["is physio and rest enough"]),
    ],
)
def test_a_message_is_split_into_its_questions_in_order(text: str, questions: list[str]) -> None:
    assert split_questions(text) == questions


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> SeveralQuestionsClassifier:
    """Trained on data/nlu, persisted and loaded back as the Rasa server loads it."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("several_questions")
    context = ExecutionContext(graph_schema=None, node_name="several_questions")  # type: ignore[arg-type]
    config = SeveralQuestionsClassifier.get_default_config()
    trained = SeveralQuestionsClassifier.create(config, storage, resource, context)
    trained.train(load_data("data/nlu"))
    return SeveralQuestionsClassifier.load(config, storage, resource, context)


def test_each_question_gets_its_own_intent(classifier: SeveralQuestionsClassifier) -> None:
    message = Message(data={TEXT: "what is a spinal fusion? and how long does recovery take?"})
    classifier.process([message])
    assert [q["intent"] for q in message.get(QUESTIONS_KEY)] == [
        "ask_what_is_fusion",
        "ask_recovery_time",
    ]


def test_one_question_sets_nothing(classifier: SeveralQuestionsClassifier) -> None:
    message = Message(data={TEXT: "how long does recovery take after a fusion?"})
    classifier.process([message])
    assert message.get(QUESTIONS_KEY) is None


def test_a_question_below_the_threshold_is_left_out(classifier: SeveralQuestionsClassifier) -> None:
    questions = ["what is a spinal fusion?", "what colour is the sky?"]
    classifier.threshold = 0.99
    try:
        found = classifier.classify(questions)
    finally:
        classifier.threshold = SeveralQuestionsClassifier.get_default_config()["threshold"]
    assert all(q["confidence"] >= 0.99 for q in found)
    assert len(found) < len(questions)
