"""How the Rasa server calls a custom action: Rasa's RemoteAction, made faster and resilient.

One class chain, RemoteAction <- CheckedOnceRemoteAction <- ResilientRemoteAction, which
`install()` makes the class Rasa builds every custom action from (extensions/rasa_server.py
calls it before Rasa starts). Rasa 3.6 offers no setting for this, hence the assignment.

- Checked once: Rasa 3.6 checks every answer with `jsonschema.validate`, which first checks the
  schema itself against its meta-schema: about 20 ms of CPU per custom action here, half of a
  message's time. And each event is checked against the one branch of Rasa's event schema
  that its name selects, not against all 23 of its `oneOf` (about 2 ms an answer).
- Resilient: Rasa 3.6 has no fallback of its own: a failed custom action loses its events, the
  user gets silence and the dialogue state breaks, so even the rules for emergencies stop
  matching (RasaHQ/rasa#2559, #7630). An action server that is unreachable (refused, timed out)
  is an outage: one line in the log, and "try again in a few minutes". An action that fails
  (rejected, HTTP 500, an answer Rasa refuses) is a bug that waiting won't fix: logged with its
  traceback, and the patient is told so.
"""

import asyncio
import logging
from collections.abc import Mapping
from functools import cache
from typing import Any

import aiohttp
import rasa.core.actions.action
from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import ActionBotResponse, ActionSessionStart, RemoteAction
from rasa.core.channels.channel import OutputChannel
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

# A patient waiting longer than this is better served by an honest "not now".
ACTION_TIMEOUT_SECONDS = 10.0
# Said before the provider's contact (utter_provider) when an action fails; not a domain
# response, since a new one would need the model retrained.
ACTION_FAILED_REPLY = "I'm sorry, something went wrong on my side and I can't answer that."


@cache
def action_result_validator() -> Validator:
    """The validator for Rasa's action-server answer format, built once per process."""
    return compiled(RemoteAction.action_response_format_spec())


@cache
def validators_by_event_name() -> tuple[Validator, Mapping[str, Validator]] | None:
    """The answer's schema with events only as an array, and each event name's own schema.

    An event must match exactly one of the event schema's `oneOf` branches, and each branch
    admits one event name (its `const`): so an event is valid iff it passes the schema with
    only its name's branch. None when a branch is not of that shape, as in some later Rasa.
    """
    answer_schema = RemoteAction.action_response_format_spec()
    events_schema = answer_schema["properties"]["events"]
    event_schema = events_schema["items"]
    branches = event_schema["oneOf"]
    names = [branch.get("properties", {}).get("event", {}).get("const") for branch in branches]
    if not all(isinstance(name, str) for name in names) or len(set(names)) != len(names):
        return None
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    answer_without_events = {
        **answer_schema,
        "properties": {**answer_schema["properties"], "events": {"type": events_schema["type"]}},
    }
    by_name = zip(names, branches, strict=True)
    return compiled(answer_without_events), {
        name: compiled({**common, "allOf": [branch]}) for name, branch in by_name
    }


def compiled(schema: dict[str, Any]) -> Validator:
    """A validator of the schema's own draft, the schema checked against it first."""
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def passes_by_event_name(result: Any) -> bool:
    """True only for an answer Rasa's schema accepts; False leaves the verdict to that schema."""
    validators = validators_by_event_name()
    if validators is None:
        return False
    answer_validator, event_validators = validators
    if not answer_validator.is_valid(result):
        return False
    for event in result.get("events", []):
        name = event.get("event") if isinstance(event, dict) else None
        event_validator = event_validators.get(name) if isinstance(name, str) else None
        if event_validator is None or not event_validator.is_valid(event):
            return False
    return True


class CheckedOnceRemoteAction(RemoteAction):
    """A custom action whose answers are checked exactly as Rasa checks them, only faster."""

    def _validate_action_result(self, result: dict[str, Any]) -> bool:
        if passes_by_event_name(result):
            return True
        try:
            # Rasa's whole schema gives the verdict, and Rasa's error for an invalid answer.
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
        except (RasaException, ValidationError, asyncio.TimeoutError) as error:
            action_failed = not is_unreachable(error)
            if action_failed:
                logger.exception("Custom action '%s' failed; answered that.", self.name())
            else:
                logger.error(
                    "Action server unreachable for '%s' (%s); answered with the fallback.",
                    self.name(),
                    type(error.__cause__ or error.__context__ or error).__name__,
                )
        if self.name() == ACTION_SESSION_START_NAME:
            # Rasa's own session start, with the disclaimer the Rasa server can say itself.
            said = await ActionBotResponse("utter_disclaimer").run(
                output_channel, nlg, tracker, domain
            )
            return said + await ActionSessionStart().run(output_channel, nlg, tracker, domain)
        if action_failed:
            provider = await ActionBotResponse("utter_provider").run(
                output_channel, nlg, tracker, domain
            )
            return [BotUttered(ACTION_FAILED_REPLY), *provider]
        return await ActionBotResponse("utter_action_server_down").run(
            output_channel, nlg, tracker, domain
        )


def is_unreachable(error: BaseException) -> bool:
    """True when the action server was not reached or did not answer in time; False when it
    answered, with a refusal, an error status or an answer Rasa refuses.
    """
    # Rasa raises its own RasaException while handling aiohttp's error.
    cause = error.__cause__ or error.__context__
    return isinstance(error, asyncio.TimeoutError) or isinstance(
        cause, aiohttp.ClientConnectionError | asyncio.TimeoutError
    )


def install() -> None:
    """Make Rasa build every custom action as a ResilientRemoteAction."""
    rasa.core.actions.action.RemoteAction = ResilientRemoteAction
