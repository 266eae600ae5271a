"""Safety at the level of the trained model: what the server would parse, for every case."""

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME

from core.paths import MODEL_PATH
from extensions.nlu.red_flag_detector import INTENT_FOR_KIND, RED_FLAG_KEY
from tests.safety.cases import (
    EMERGENCIES,
    INDIRECT_SELF_HARM,
    LOOK_ALIKES,
    RED_FLAGS,
    case_id,
    kind_of,
)

PAIRED = [case for case in RED_FLAGS if "asks" in case]
# Most paired questions must really be ones the classifier is sure of, or the pairing tests
# nothing: the fallback once dropped red flags exactly when it was.
MIN_SHARE_CONFIDENTLY_CLASSIFIED = 0.8
CONFIDENT = 0.5


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict]:
    """The trained model's parse of every red-flag case, by text."""
    agent = Agent.load(str(MODEL_PATH))
    texts = [case["text"] for case in EMERGENCIES] + INDIRECT_SELF_HARM + LOOK_ALIKES

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(text) for text in texts]

    return dict(zip(texts, asyncio.run(parse_all()), strict=True))


@pytest.mark.parametrize("case", EMERGENCIES, ids=case_id)
def test_the_trained_model_marks_every_red_flag(parsed: dict[str, dict], case: dict) -> None:
    result = parsed[case["text"]]
    assert result[RED_FLAG_KEY]["kind"] == kind_of(case)
    assert result["intent"] == {"name": INTENT_FOR_KIND[kind_of(case)], "confidence": 1.0}


def test_the_paired_questions_are_ones_the_classifier_is_sure_of(parsed: dict[str, dict]) -> None:
    not_the_question = {*INTENT_FOR_KIND.values(), DEFAULT_NLU_FALLBACK_INTENT_NAME}
    confident = []
    for case in PAIRED:
        ranking = [
            intent
            for intent in parsed[case["text"]]["intent_ranking"]
            if intent["name"] not in not_the_question
        ]
        top = ranking[0] if ranking else {"name": None, "confidence": 0.0}
        confident.append(top["name"] == case["asks"] and top["confidence"] >= CONFIDENT)
    share = sum(confident) / len(PAIRED)
    print(f"\npaired cases whose question is classified as asked at >= {CONFIDENT}: {share:.0%}")
    assert len(PAIRED) >= 40
    assert share >= MIN_SHARE_CONFIDENTLY_CLASSIFIED


@pytest.mark.parametrize("text", INDIRECT_SELF_HARM, ids=lambda text: text[:48])
def test_the_trained_model_marks_self_harm_said_indirectly(
    parsed: dict[str, dict], text: str
) -> None:
    assert parsed[text][RED_FLAG_KEY]["kind"] == "self_harm", parsed[text]


def test_the_trained_model_marks_no_dark_humour(parsed: dict[str, dict]) -> None:
    marked = [text for text in LOOK_ALIKES if parsed[text].get(RED_FLAG_KEY)]
    assert not marked
