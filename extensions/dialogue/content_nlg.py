"""Fills domain responses with content from data/facts.yml inside the Rasa server."""

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from core.facts import load_content
from core.paths import FACTS_PATH


class ContentNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """Domain responses whose {provider_*} placeholders come from the facts file.

    Living in the Rasa server, these responses need no action server, so the
    referral still reaches the user when the action server is down.
    """

    def __init__(self, endpoint_config: EndpointConfig, domain: Domain) -> None:
        super().__init__(domain.responses)
        facts_path = endpoint_config.kwargs.get("facts_path", FACTS_PATH)
        self.variables = load_content(facts_path).response_variables()

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        return await super().generate(
            utter_action, tracker, output_channel, **{**self.variables, **kwargs}
        )
