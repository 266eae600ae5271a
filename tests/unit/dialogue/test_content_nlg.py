"""Domain responses get the operator's provider details from the facts file, in the Rasa server."""

import asyncio
from pathlib import Path
from typing import Any

import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from core.facts import Content
from core.paths import FACTS_PATH, PROJECT_ROOT
from extensions.dialogue.content_nlg import ContentNaturalLanguageGenerator


def generate(facts_path: Path, response: str, **kwargs: str) -> str:
    return generate_message(facts_path, response, **kwargs)["text"]


def generate_message(facts_path: Path, response: str, **kwargs: str) -> dict[str, Any]:
    """The message Rasa makes the bot event of: keys it does not know become its metadata."""
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    config = EndpointConfig(
        type="extensions.dialogue.content_nlg.ContentNaturalLanguageGenerator",
        facts_path=str(facts_path),
    )
    nlg = ContentNaturalLanguageGenerator(endpoint_config=config, domain=domain)
    tracker = DialogueStateTracker.from_events("test-user", [])
    message = asyncio.run(nlg.generate(response, tracker, "rest", **kwargs))
    assert message is not None
    return message


def test_referral_names_the_provider_an_operator_set(tmp_path: Path) -> None:
    raw = yaml.safe_load(FACTS_PATH.read_text())
    raw["provider"] = {
        "name": "Northside Spine Clinic",
        "url": "https://northside.example",
        "phone": "0100 200 300",
    }
    facts = tmp_path / "facts.yml"
    facts.write_text(yaml.safe_dump(raw))
    text = generate(facts, "utter_provider_pointer")
    assert "Northside Spine Clinic (https://northside.example, phone 0100 200 300)" in text
    assert "{" not in text


def test_values_an_action_passes_are_kept() -> None:
    text = generate(FACTS_PATH, "utter_lead_in_not_covered", subject="golf")
    assert text.startswith('You mentioned "golf".')


def test_each_emergency_reply_carries_its_entry_and_version(content: Content) -> None:
    for kind, response in (("red_flag", "utter_emergency"), ("self_harm", "utter_crisis_support")):
        message = generate_message(FACTS_PATH, response)
        assert message["text"] == content.emergency[kind]
        assert message["emergency_id"] == kind
        assert message["content_version"] == content.emergency_reviews[kind].version
    assert "emergency_id" not in generate_message(FACTS_PATH, "utter_provider_pointer")
