"""The one part of the dialogue that sends the emergency guidance, and nothing can outrank it."""

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, RULE_SNIPPET_ACTION_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_RANKING_KEY

from core.emergency import INTENT_FOR_KIND, RED_FLAG_KEY, RESPONSE_FOR_KIND
from core.erasure import REQUEST_INTENT

logger = logging.getLogger(__name__)

KIND_FOR_INTENT = {intent: kind for kind, intent in INTENT_FOR_KIND.items()}
ANSWERS_FILE = "answers_by_intent.json"
# Requests a patient makes of their own data: asked about after any guidance, never lost to it.
REQUESTS_KEPT_AFTER_GUIDANCE = (REQUEST_INTENT,)
# How sure the classifiers must have been of such a request under the emergency intent.
KEPT_REQUEST_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Emergency:
    """The reply's kind, the category for the log, and whether the question is answered after."""

    kind: str
    category: str
    answer_after: bool = False


def emergency_of(message: UserUttered | None) -> Emergency | None:
    """The red flag the detector found in a message, or an emergency intent sent directly (a
    button, a test story); None for an ordinary message."""
    if message is None:
        return None
    red_flag = message.parse_data.get(RED_FLAG_KEY)
    if red_flag:
        return Emergency(red_flag["kind"], red_flag["category"], bool(red_flag.get("answer_after")))
    kind = KIND_FOR_INTENT.get(message.intent_name or "")
    return Emergency(kind, "unspecified") if kind else None


def kept_request(message: UserUttered) -> str | None:
    """A data request ("delete my conversation") the classifiers heard under the emergency."""
    ranking = message.parse_data.get(INTENT_RANKING_KEY) or []
    heard = next((i for i in ranking if i.get("name") not in KIND_FOR_INTENT), None)
    if (
        heard
        and heard["name"] in REQUESTS_KEPT_AFTER_GUIDANCE
        and heard.get("confidence", 0.0) >= KEPT_REQUEST_CONFIDENCE
    ):
        return str(heard["name"])
    return None


def answers_by_intent(trackers: Iterable[DialogueStateTracker]) -> dict[str, str]:
    """The action that the rules run right after each intent, where the rules name one only.

    After the crisis line the rules no longer match the turn, so the policy runs this action.
    """
    actions: dict[str, set[str]] = defaultdict(set)
    for tracker in trackers:
        if not tracker.is_rule_tracker:
            continue
        steps = [e for e in tracker.events if isinstance(e, (UserUttered, ActionExecuted))]
        for step, following in pairwise(steps):
            if (
                isinstance(step, UserUttered)
                and step.intent_name
                and isinstance(following, ActionExecuted)
                and following.action_name
                not in (None, ACTION_LISTEN_NAME, RULE_SNIPPET_ACTION_NAME)
            ):
                actions[step.intent_name].add(following.action_name)
    return {intent: names.pop() for intent, names in sorted(actions.items()) if len(names) == 1}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class RedFlagPolicy(Policy):
    """Answers a red flag with the emergency guidance first, whatever the intent or the rules say.

    It reads the detector's finding, not the intent, so no NLU threshold can hide it; and its
    predictions claim the rank Rasa gives predictions made without user input, so no other
    policy's prediction can outrank them. It then listens: the guidance stands alone, unless
    the finding says to answer the question after it (self-harm the classifier is unsure of) or
    the message also asks to delete the conversation, which is then asked to confirm.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 10}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        answers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, **kwargs)
        self._answers = answers or {}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        """A model trained before the policy learnt its answers is trained again, not reused."""
        return ANSWERS_FILE

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "RedFlagPolicy":
        with model_storage.read_from(resource) as directory:
            answers = json.loads((directory / ANSWERS_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, execution_context, answers=answers)

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """The detector decides what is urgent; only the answer after the crisis line is learnt."""
        self._answers = answers_by_intent(training_trackers)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / ANSWERS_FILE).write_text(json.dumps(self._answers), encoding="utf-8")
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        emergency = emergency_of(tracker.latest_message)
        if emergency is None:
            return self._prediction(self._default_predictions(domain))
        response = RESPONSE_FOR_KIND[emergency.kind]
        answer = self._answer_after(emergency, tracker.latest_message)
        if tracker.latest_action_name == ACTION_LISTEN_NAME:
            logger.info(
                "Emergency reply %s: category=%s kind=%s%s",
                response,
                emergency.category,
                emergency.kind,
                " then the answer" if answer else "",
            )
            return self._certain(response, domain)
        if tracker.latest_action_name == response and answer:
            return self._certain(answer, domain)
        if tracker.latest_action_name in (response, answer):
            return self._certain(ACTION_LISTEN_NAME, domain)
        return self._prediction(self._default_predictions(domain))

    def _answer_after(self, emergency: Emergency, message: UserUttered | None) -> str | None:
        """The action that answers the message after the guidance: the question, if the finding
        asks it; a request about the patient's data, always."""
        if message is None:
            return None
        if emergency.answer_after:
            return self._answers.get(message.intent_name or "")
        request = kept_request(message)
        return self._answers.get(request) if request else None

    def _certain(self, action_name: str, domain: Domain) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(action_name)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=True)
