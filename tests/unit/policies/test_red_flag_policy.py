"""RedFlagPolicy: the detector's finding gets the emergency guidance, whatever else predicts."""

from pathlib import Path

import pytest
import yaml
from rasa.core.constants import RULE_POLICY_PRIORITY
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, RULE_SNIPPET_ACTION_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from core.paths import PROJECT_ROOT
from extensions.policies.red_flag_policy import (
    Emergency,
    RedFlagPolicy,
    answers_by_intent,
    emergency_of,
)

WOUND = {"kind": "red_flag", "category": "wound", "matched": "incision is bleeding"}
POSSIBLE_SELF_HARM = {
    "kind": "self_harm",
    "category": "self_harm",
    "matched": "",
    "found_by": "classifier",
    "answer_after": True,
}


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(PROJECT_ROOT / "domain.yml")


@pytest.fixture
def policy(tmp_path: Path) -> RedFlagPolicy:
    return RedFlagPolicy.create(
        RedFlagPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("red_flag_policy"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def user_message(intent: str, red_flag: dict | None = None) -> UserUttered:
    parse_data = {"intent": {"name": intent, "confidence": 0.98}}
    if red_flag:
        parse_data["red_flag"] = red_flag
    return UserUttered("...", parse_data["intent"], parse_data=parse_data)


def tracker_after(*events: object) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "patient", [ActionExecuted(ACTION_LISTEN_NAME), *events]
    )


def predicted(prediction: PolicyPrediction, domain: Domain) -> str | None:
    if prediction.max_confidence == 0:
        return None
    return domain.action_names_or_texts[prediction.max_confidence_index]


def test_the_detector_finding_counts_whatever_the_intent() -> None:
    assert emergency_of(user_message("nlu_fallback", WOUND)) == Emergency("red_flag", "wound")


def test_an_emergency_intent_sent_directly_counts_too() -> None:
    assert emergency_of(user_message("self_harm")) == Emergency("self_harm", "unspecified")


def test_an_ordinary_message_is_no_emergency() -> None:
    assert emergency_of(user_message("ask_recovery_time")) is None
    assert emergency_of(None) is None


def test_a_red_flag_outranks_a_certain_rule(policy: RedFlagPolicy, domain: Domain) -> None:
    """The fallback rule is as sure as a prediction can be; the emergency still wins."""
    tracker = tracker_after(user_message("nlu_fallback", WOUND))
    rule_probabilities = [0.0] * domain.num_actions
    rule_probabilities[domain.index_for_action("utter_cannot_answer")] = 1.0
    rule = PolicyPrediction(rule_probabilities, "RulePolicy", RULE_POLICY_PRIORITY)
    ours = policy.predict_action_probabilities(tracker, domain)
    for order in ((rule, ours), (ours, rule)):
        best = DefaultPolicyPredictionEnsemble().combine_predictions_from_kwargs(
            tracker, domain, **{f"policy_{i}": p for i, p in enumerate(order)}
        )
        assert predicted(best, domain) == "utter_emergency"


def test_self_harm_gets_the_crisis_line(policy: RedFlagPolicy, domain: Domain) -> None:
    finding = {"kind": "self_harm", "category": "self_harm", "matched": "want to die"}
    tracker = tracker_after(user_message("ask_alternatives", finding))
    prediction = policy.predict_action_probabilities(tracker, domain)
    assert predicted(prediction, domain) == "utter_crisis_support"


def test_after_the_guidance_it_listens(policy: RedFlagPolicy, domain: Domain) -> None:
    tracker = tracker_after(user_message("emergency", WOUND), ActionExecuted("utter_emergency"))
    prediction = policy.predict_action_probabilities(tracker, domain)
    assert predicted(prediction, domain) == ACTION_LISTEN_NAME


def test_an_ordinary_message_is_left_to_the_rules(policy: RedFlagPolicy, domain: Domain) -> None:
    tracker = tracker_after(user_message("ask_recovery_time"))
    assert predicted(policy.predict_action_probabilities(tracker, domain), domain) is None


def test_the_detector_runs_last_and_the_policy_is_configured() -> None:
    """Nothing after the detector can rewrite its intent; without the policy nobody answers it."""
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    assert config["pipeline"][-1]["name"] == "extensions.nlu.red_flag_detector.RedFlagDetector"
    policies = [policy["name"] for policy in config["policies"]]
    assert "extensions.policies.red_flag_policy.RedFlagPolicy" in policies


def rule_tracker(*events: object) -> DialogueStateTracker:
    tracker = DialogueStateTracker("rule", [], is_rule_tracker=True)
    for event in (ActionExecuted(RULE_SNIPPET_ACTION_NAME), *events):
        tracker.update(event)
    return tracker


def test_the_answer_after_each_intent_is_learnt_from_the_rules() -> None:
    trackers = [
        rule_tracker(user_message("ask_brace"), ActionExecuted("action_answer_fact")),
        rule_tracker(user_message("greet"), ActionExecuted("utter_greet")),
        # Two rules that disagree name no single answer: none is learnt.
        rule_tracker(user_message("thanks"), ActionExecuted("utter_welcome")),
        rule_tracker(user_message("thanks"), ActionExecuted("utter_goodbye")),
        # A story is no rule.
        tracker_after(user_message("help"), ActionExecuted("utter_help")),
    ]
    assert answers_by_intent(trackers) == {
        "ask_brace": "action_answer_fact",
        "greet": "utter_greet",
    }


def trained_on(
    policy: RedFlagPolicy, domain: Domain, tmp_path: Path, rules: dict[str, str]
) -> RedFlagPolicy:
    """Trained on one rule per intent and its action, stored and loaded as the server loads it."""
    trackers = [
        rule_tracker(user_message(intent), ActionExecuted(action))
        for intent, action in rules.items()
    ]
    resource = policy.train(trackers, domain)
    return RedFlagPolicy.load(
        RedFlagPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        resource,
        ExecutionContext(GraphSchema({}), "test"),
    )


@pytest.fixture
def trained_policy(policy: RedFlagPolicy, domain: Domain, tmp_path: Path) -> RedFlagPolicy:
    return trained_on(policy, domain, tmp_path, {"ask_brace": "action_answer_fact"})


def test_possible_self_harm_gets_the_crisis_line_then_the_answer_then_listens(
    trained_policy: RedFlagPolicy, domain: Domain
) -> None:
    message = user_message("ask_brace", POSSIBLE_SELF_HARM)
    steps = []
    events: list[object] = [message]
    for _ in range(3):
        prediction = trained_policy.predict_action_probabilities(tracker_after(*events), domain)
        steps.append(predicted(prediction, domain))
        events.append(ActionExecuted(steps[-1]))
    assert steps == ["utter_crisis_support", "action_answer_fact", ACTION_LISTEN_NAME]


def test_possible_self_harm_with_no_answer_for_its_intent_gets_the_crisis_line_alone(
    trained_policy: RedFlagPolicy, domain: Domain
) -> None:
    message = user_message("bot_challenge", POSSIBLE_SELF_HARM)
    tracker = tracker_after(message, ActionExecuted("utter_crisis_support"))
    prediction = trained_policy.predict_action_probabilities(tracker, domain)
    assert predicted(prediction, domain) == ACTION_LISTEN_NAME


def emergency_over(heard: str, confidence: float) -> UserUttered:
    """A red flag found by the patterns, over what the classifiers heard, as the detector ranks."""
    parse_data = {
        "intent": {"name": "emergency", "confidence": 1.0},
        "intent_ranking": [
            {"name": "emergency", "confidence": 1.0},
            {"name": heard, "confidence": confidence},
        ],
        "red_flag": {**WOUND, "answer_after": False},
    }
    return UserUttered("...", parse_data["intent"], parse_data=parse_data)


@pytest.fixture
def erasure_policy(policy: RedFlagPolicy, domain: Domain, tmp_path: Path) -> RedFlagPolicy:
    rules = {
        "ask_brace": "action_answer_fact",
        "delete_conversation": "utter_ask_delete_conversation",
    }
    return trained_on(policy, domain, tmp_path, rules)


def steps_after(policy: RedFlagPolicy, domain: Domain, message: UserUttered) -> list[str | None]:
    steps: list[str | None] = []
    events: list[object] = [message]
    while not steps or steps[-1] != ACTION_LISTEN_NAME:
        steps.append(
            predicted(policy.predict_action_probabilities(tracker_after(*events), domain), domain)
        )
        events.append(ActionExecuted(steps[-1]))
    return steps


def test_a_deletion_request_under_a_red_flag_is_asked_after_the_guidance(
    erasure_policy: RedFlagPolicy, domain: Domain
) -> None:
    steps = steps_after(erasure_policy, domain, emergency_over("delete_conversation", 0.8))
    assert steps == ["utter_emergency", "utter_ask_delete_conversation", ACTION_LISTEN_NAME]


@pytest.mark.parametrize(
    ("heard", "confidence"), [("ask_brace", 0.9), ("delete_conversation", 0.3)]
)
def test_a_question_or_an_unsure_request_under_a_red_flag_gets_the_guidance_alone(
    erasure_policy: RedFlagPolicy, domain: Domain, heard: str, confidence: float
) -> None:
    steps = steps_after(erasure_policy, domain, emergency_over(heard, confidence))
    assert steps == ["utter_emergency", ACTION_LISTEN_NAME]
