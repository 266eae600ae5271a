"""The once-compiled check of action-server answers agrees with Rasa's own; an unreachable
action server and a failing action, met through real servers, each get their own honest reply.
"""

import asyncio
import logging
import socket
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core import events
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from core.facts import Content
from core.paths import PROJECT_ROOT
from evaluation.support.running_assistant import free_port
from extensions.dialogue import remote_action
from extensions.dialogue.content_nlg import ContentNaturalLanguageGenerator
from extensions.dialogue.remote_action import (
    ACTION_FAILED_REPLY,
    CheckedOnceRemoteAction,
    ResilientRemoteAction,
    action_result_validator,
    passes_by_event_name,
    validators_by_event_name,
)
from tests.support.platforms import Answer, StandIn

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "topic", "value": "recovery"}], "responses": []},
    {"responses": [{"text": "Recovery takes time.", "buttons": []}]},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": "text"},
]


# Each kind of event Rasa serialises, as an action server would send it back.
RASA_EVENTS = [
    events.UserUttered(
        "how long is recovery",
        intent={"name": "ask_recovery", "confidence": 0.9},
        entities=[{"entity": "duration", "value": "6 weeks", "start": 0, "end": 7}],
        parse_data={"intent_ranking": [{"name": "ask_recovery", "confidence": 0.9}]},
    ),
    events.ActionExecuted("action_answer_fact", policy="RulePolicy", confidence=1.0),
    events.SlotSet("topic", "recovery"),
    events.SlotSet("topic", None),
    events.EntitiesAdded([{"entity": "activity", "value": "golf"}]),
    events.BotUttered("Recovery takes time.", {"buttons": []}, {"topic": "recovery"}),
    events.SessionStarted(),
    events.Restarted(),
    events.AllSlotsReset(),
    events.FollowupAction("action_listen"),
    events.ActiveLoop(None),
    events.ActionReverted(),
    events.UserUtteranceReverted(),
    events.ConversationPaused(),
    events.ConversationResumed(),
    events.AgentUttered("agent"),
    events.StoryExported(),
    events.ActionExecutionRejected("action_answer_fact"),
    events.LoopInterrupted(True),
    events.ReminderCancelled(name="r"),
]
# Each breaks Rasa's schema in one place: the answer, an event's common part, or its branch.
BROKEN_EVENTS = [
    {"event": "slot", "value": "recovery"},
    {"event": "slot", "name": 3, "value": "recovery"},
    {"event": "entities"},
    {"event": "entities", "entities": [{"entity": "activity"}]},
    {"event": "user", "text": 5},
    {"event": "user", "parse_data": {"intent": {"name": 1}}},
    {"event": "action", "confidence": "high"},
    {"event": "bot", "timestamp": "yesterday"},
    {"event": "bot", "metadata": []},
    {"event": "no_such_event"},
    {"event": 1},
    {"event": None},
    {"name": "topic", "value": "recovery"},
    "slot",
    ["slot"],
    None,
]


def action() -> CheckedOnceRemoteAction:
    return CheckedOnceRemoteAction("action_answer_fact", EndpointConfig("http://localhost:1"))


@pytest.mark.parametrize("result", VALID)
def test_a_valid_answer_passes_as_it_does_in_rasa(result: dict) -> None:
    jsonschema.validate(result, RemoteAction.action_response_format_spec())
    assert action()._validate_action_result(result)


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_answer_fails_as_it_does_in_rasa(result: dict) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
        action()._validate_action_result(result)


def rasa_accepts(result: object) -> bool:
    return action_result_validator().is_valid(result)


@pytest.mark.parametrize("event", RASA_EVENTS, ids=lambda event: type(event).__name__)
def test_each_kind_of_rasa_event_passes_by_its_name(event: events.Event) -> None:
    result = {"events": [event.as_dict(), events.SlotSet("topic", "recovery").as_dict()]}
    assert rasa_accepts(result)
    assert passes_by_event_name(result)


@pytest.mark.parametrize("event", BROKEN_EVENTS, ids=repr)
def test_an_event_rasa_refuses_does_not_pass_by_its_name(event: object) -> None:
    result = {"events": [events.SlotSet("topic", "recovery").as_dict(), event], "responses": []}
    assert not rasa_accepts(result)
    assert not passes_by_event_name(result)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
        action()._validate_action_result(result)


@pytest.mark.parametrize("result", [*VALID, *INVALID, [], "events", {"events": None}], ids=repr)
def test_an_answer_passes_by_event_name_exactly_when_rasa_accepts_it(result: object) -> None:
    assert passes_by_event_name(result) == rasa_accepts(result)


def test_every_branch_of_rasa_event_schema_has_its_own_validator() -> None:
    validators = validators_by_event_name()
    assert validators is not None
    event_names = {
        branch["properties"]["event"]["const"]
        for branch in RemoteAction.action_response_format_spec()["properties"]["events"]["items"][
            "oneOf"
        ]
    }
    assert set(validators[1]) == event_names


# What the action server stand-in answers at each path.
ANSWERS: dict[str, Answer] = {
    "/answers": (200, {"events": [], "responses": [{"text": "Recovery takes time."}]}),
    "/fails": (500, {"error": "KeyError: 'facts'"}),
    "/rejects": (400, {"action_name": "action_answer_fact", "error": "no fact for this"}),
    "/answers-wrongly": (200, {"events": "not a list"}),
}


@pytest.fixture(scope="module")
def action_server() -> Iterator[StandIn]:
    server = StandIn(None, lambda path, *_: ANSWERS[path])
    server.up()
    yield server
    server.down()


@pytest.fixture(scope="module")
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        yield listening.getsockname()[1]


def run_at(url: str, caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[logging.LogRecord]]:
    """The texts the custom action said, run against the action server at `url`, and the
    records this module logged meanwhile.
    """
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    nlg = ContentNaturalLanguageGenerator(EndpointConfig(), domain)
    tracker = DialogueStateTracker.from_events(
        "remote-action",
        [events.ActionExecuted(ACTION_LISTEN_NAME), events.UserUttered("how long is recovery?")],
        domain.slots,
    )
    action = ResilientRemoteAction("action_answer_fact", EndpointConfig(url))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=remote_action.__name__):
        said = asyncio.run(action.run(CollectingOutputChannel(), nlg, tracker, domain))
    records = [record for record in caplog.records if record.name == remote_action.__name__]
    return [event.text for event in said if isinstance(event, events.BotUttered)], records


def test_an_answer_passes_through(action_server: StandIn, caplog: Any) -> None:
    url = f"http://127.0.0.1:{action_server.port}/answers"
    assert run_at(url, caplog) == (["Recovery takes time."], [])


@pytest.mark.parametrize(
    "path, error",
    [
        ("/fails", "ClientResponseError: 500"),
        ("/rejects", "ActionExecutionRejection"),
        ("/answers-wrongly", "ValidationError"),
    ],
)
def test_a_failing_action_is_logged_with_its_traceback_and_said_to_have_failed(
    action_server: StandIn, content: Content, caplog: Any, path: str, error: str
) -> None:
    texts, [record] = run_at(f"http://127.0.0.1:{action_server.port}{path}", caplog)
    assert texts[0] == ACTION_FAILED_REPLY
    assert len(texts) == 2 and content.provider.contact() in texts[1]
    assert record.levelno == logging.ERROR and record.exc_info
    assert error in logging.Formatter().formatException(record.exc_info)


@pytest.mark.parametrize("where", ["closed port", "silent port"])
def test_an_unreachable_action_server_is_one_line_and_try_again_later(
    silent_port: int,
    content: Content,
    caplog: Any,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    monkeypatch.setattr(remote_action, "ACTION_TIMEOUT_SECONDS", 1.0)
    port = free_port() if where == "closed port" else silent_port
    texts, [record] = run_at(f"http://127.0.0.1:{port}/webhook", caplog)
    assert len(texts) == 1
    assert "can't answer that right now" in texts[0] and content.provider.contact() in texts[0]
    assert record.levelno == logging.ERROR and not record.exc_info
    assert "unreachable" in record.getMessage()
