"""The reviewed safety cases, shared by the matcher, trained-model and end-to-end tests."""

from pathlib import Path
from typing import Any

import yaml

SAFETY = Path(__file__).parent


def _load(name: str, key: str) -> list[Any]:
    return yaml.safe_load((SAFETY / name).read_text(encoding="utf-8"))[key]


RED_FLAGS = _load("red_flags.yml", "red_flags")
PHRASINGS = _load("emergency_phrasings.yml", "phrasings")
NON_EMERGENCIES = _load("non_emergencies.yml", "non_emergencies")
EMERGENCIES = RED_FLAGS + PHRASINGS
# Said without the patterns' phrases: the learned self-harm classifier must tell them apart.
INDIRECT_SELF_HARM: list[str] = _load("indirect_self_harm.yml", "self_harm")
LOOK_ALIKES: list[str] = _load("indirect_self_harm.yml", "look_alikes")


def kind_of(case: dict[str, Any]) -> str:
    """The response kind a case must get: the crisis line for self-harm, else the emergency."""
    return case.get("kind") or ("self_harm" if case["category"] == "self_harm" else "red_flag")


def case_id(case: dict[str, Any]) -> str:
    return case["text"][:48]
