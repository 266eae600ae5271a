"""How the Rasa server calls a custom action: Rasa's RemoteAction, made faster and resilient.

One class chain, RemoteAction <- CheckedOnceRemoteAction <- ResilientRemoteAction, which
`install()` makes the class Rasa builds every custom action from (extensions/rasa_server.py
calls it before Rasa starts). Rasa 3.6 offers no setting for this, hence the assignment.

- Checked once: Rasa 3.6 checks every answer with `jsonschema.validate`, which first checks the
  schema itself against its meta-schema: about 20 ms of CPU per custom action here, half of a
  message's time.
- Resilient: Rasa 3.6 has no fallback of its own: a failed custom action loses its events, the
  user gets silence and the dialogue state breaks, so even the rules for emergencies stop
  matching (RasaHQ/rasa#2559, #7630).
"""

import asyncio
import logging
from functools import cache
from typing import Any

import rasa.core.actions.action
from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionBotResponse, ActionSessionStart, RemoteAction
from rasa.core.channels.channel import OutputChannel
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

# A patient waiting longer than this is better served by an honest "not now".
ACTION_TIMEOUT_SECONDS = 10.0


@cache
def action_result_validator() -> Validator:
    """The validator for Rasa's action-server answer format, built once per process."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


class CheckedOnceRemoteAction(RemoteAction):
    """A custom action whose answers are checked exactly as Rasa checks them, only faster."""

    def _validate_action_result(self, result: dict[str, Any]) -> bool:
        try:
            action_result_validator().validate(result)
        except ValidationError as error:
            # Rasa's own message, so that operators find the same hint in the logs.
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid."
            )
            raise
        return True


class ResilientRemoteAction(CheckedOnceRemoteAction):
    """A custom action that answers with an honest fallback instead of failing."""

    async def run(
        self,
        output_channel: OutputChannel,
        nlg: NaturalLanguageGenerator,
        tracker: DialogueStateTracker,
        domain: Domain,
    ) -> list[Event]:
        try:
            return await asyncio.wait_for(
                super().run(output_channel, nlg, tracker, domain), ACTION_TIMEOUT_SECONDS
            )
        except (RasaException, asyncio.TimeoutError) as error:
            logger.error(
                "Action server unavailable for '%s' (%s); answered with the fallback.",
                self.name(),
                type(error).__name__,
            )
        if self.name() == ACTION_SESSION_START_NAME:
            # Rasa's own session start, with the disclaimer the Rasa server can say itself.
            said = await ActionBotResponse("utter_disclaimer").run(
                output_channel, nlg, tracker, domain
            )
            return said + await ActionSessionStart().run(output_channel, nlg, tracker, domain)
        return await ActionBotResponse("utter_action_server_down").run(
            output_channel, nlg, tracker, domain
        )


def install() -> None:
    """Make Rasa build every custom action as a ResilientRemoteAction."""
    rasa.core.actions.action.RemoteAction = ResilientRemoteAction
