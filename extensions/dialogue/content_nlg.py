"""Fills domain responses with content from data/facts.yml inside the Rasa server."""

import logging
from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from core.emergency import RESPONSE_FOR_KIND
from core.facts import load_content
from core.paths import FACTS_PATH

logger = logging.getLogger(__name__)


class ContentNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """Domain responses whose {provider_*} placeholders come from the facts file.

    Living in the Rasa server, these responses need no action server, so the
    referral still reaches the user when the action server is down.
    """

    def __init__(self, endpoint_config: EndpointConfig, domain: Domain) -> None:
        super().__init__(domain.responses)
        facts_path = endpoint_config.kwargs.get("facts_path", FACTS_PATH)
        content = load_content(facts_path)
        content.warn_overdue(logger)
        self.variables = content.response_variables()
        # What an emergency reply's stored event carries: which entry was said, in which version.
        self.emergency_metadata = {
            RESPONSE_FOR_KIND[kind]: {"emergency_id": kind, "content_version": review.version}
            for kind, review in content.emergency_reviews.items()
        }

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        message = await super().generate(
            utter_action, tracker, output_channel, **{**self.variables, **kwargs}
        )
        # Keys Rasa does not know go into the bot event's metadata (create_bot_utterance).
        if message is not None:
            message.update(self.emergency_metadata.get(utter_action, {}))
        return message
