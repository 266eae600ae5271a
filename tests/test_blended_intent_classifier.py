"""The blend of two classifiers' intent distributions that config.yml relies on."""

import pytest

from extensions.blended_intent_classifier import blend


def confidences(ranking: list[dict]) -> dict[str, float]:
    return {intent["name"]: intent["confidence"] for intent in ranking}


def test_blend_is_the_weighted_average_most_likely_first() -> None:
    own = {"ask_mobility": 0.6, "out_of_scope": 0.4}
    earlier = {"ask_mobility": 0.1, "out_of_scope": 0.9}
    ranking = blend(own, earlier, earlier_weight=0.5)
    assert [intent["name"] for intent in ranking] == ["out_of_scope", "ask_mobility"]
    assert confidences(ranking) == pytest.approx({"out_of_scope": 0.65, "ask_mobility": 0.35})


def test_blend_keeps_intents_only_one_classifier_ranked() -> None:
    ranking = blend({"greet": 1.0}, {"thanks": 1.0}, earlier_weight=0.25)
    assert confidences(ranking) == pytest.approx({"greet": 0.75, "thanks": 0.25})


def test_a_truncated_earlier_ranking_is_renormalized_before_blending() -> None:
    ranking = blend({"greet": 0.5, "thanks": 0.5}, {"greet": 0.2, "thanks": 0.2}, 0.5)
    assert confidences(ranking) == pytest.approx({"greet": 0.5, "thanks": 0.5})


def test_without_an_earlier_ranking_the_own_distribution_stands() -> None:
    ranking = blend({"greet": 0.7, "thanks": 0.3}, {}, earlier_weight=0.35)
    assert confidences(ranking) == pytest.approx({"greet": 0.7, "thanks": 0.3})
