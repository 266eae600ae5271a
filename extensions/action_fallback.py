"""Keeps every conversation answering when the action server is down or slow.

Rasa 3.6 has no fallback of its own: a failed custom action loses its events,
the user gets silence and the dialogue state breaks, so even the rules for
emergencies stop matching (RasaHQ/rasa#2559, #7630).
"""

import asyncio
import logging

import rasa.core.actions.action
from rasa.core.actions.action import ActionBotResponse, ActionSessionStart
from rasa.core.channels.channel import OutputChannel
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from extensions.remote_action import CheckedOnceRemoteAction

logger = logging.getLogger(__name__)

# A patient waiting longer than this is better served by an honest "not now".
ACTION_TIMEOUT_SECONDS = 10.0


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
