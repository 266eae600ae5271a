"""The once-compiled check of action-server answers agrees with Rasa's own."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from extensions.dialogue.remote_action import CheckedOnceRemoteAction, action_result_validator

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
