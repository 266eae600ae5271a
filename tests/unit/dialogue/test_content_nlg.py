"""Domain responses get the operator's provider details from the facts file, in the Rasa server."""

import asyncio
from pathlib import Path

import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from core.paths import FACTS_PATH, PROJECT_ROOT
from extensions.dialogue.content_nlg import ContentNaturalLanguageGenerator


def generate(facts_path: Path, response: str, **kwargs: str) -> str:
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    config = EndpointConfig(
        type="extensions.dialogue.content_nlg.ContentNaturalLanguageGenerator",
        facts_path=str(facts_path),
    )
    nlg = ContentNaturalLanguageGenerator(endpoint_config=config, domain=domain)
    tracker = DialogueStateTracker.from_events("test-user", [])
    message = asyncio.run(nlg.generate(response, tracker, "rest", **kwargs))
    return message["text"]


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
