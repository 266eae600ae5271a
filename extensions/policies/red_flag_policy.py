"""The one part of the dialogue that sends the emergency guidance, and nothing can outrank it."""

import logging
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from core.emergency import INTENT_FOR_KIND, RED_FLAG_KEY, RESPONSE_FOR_KIND

logger = logging.getLogger(__name__)

KIND_FOR_INTENT = {intent: kind for kind, intent in INTENT_FOR_KIND.items()}


def emergency_of(message: UserUttered | None) -> tuple[str, str] | None:
    """(kind, category) of the red flag the detector found in a message, or of an emergency
    intent sent directly (a button, a test story); None for an ordinary message."""
    if message is None:
        return None
    red_flag = message.parse_data.get(RED_FLAG_KEY)
    if red_flag:
        return red_flag["kind"], red_flag["category"]
    kind = KIND_FOR_INTENT.get(message.intent_name or "")
    return (kind, "unspecified") if kind else None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class RedFlagPolicy(Policy):
    """Answers a red flag with the emergency guidance first, whatever the intent or the rules say.

    It reads the detector's finding, not the intent, so no NLU threshold can hide it; and its
    predictions claim the rank Rasa gives predictions made without user input, so no other
    policy's prediction can outrank them. It then listens: the guidance stands alone.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 10}

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn: the reviewed patterns decide."""
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
        kind, category = emergency
        response = RESPONSE_FOR_KIND[kind]
        if tracker.latest_action_name == ACTION_LISTEN_NAME:
            logger.info("Emergency reply %s: category=%s kind=%s", response, category, kind)
            return self._certain(response, domain)
        if tracker.latest_action_name == response:
            return self._certain(ACTION_LISTEN_NAME, domain)
        return self._prediction(self._default_predictions(domain))

    def _certain(self, action_name: str, domain: Domain) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(action_name)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=True)
