"""The once-compiled check of action-server answers agrees with Rasa's own."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events
from rasa.utils.endpoints import EndpointConfig

from extensions.dialogue.remote_action import (
    CheckedOnceRemoteAction,
    action_result_validator,
    passes_by_event_name,
    validators_by_event_name,
)

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


def test_the_validator_is_built_once() -> None:
    assert action_result_validator() is action_result_validator()


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
