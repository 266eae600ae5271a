"""The operator report's pure parts: pairing messages with replies, grouping questions, the
page."""

from collections import Counter

import pytest

from ops.clusters import group_similar
from ops.exchanges import LOW_CONFIDENCE, exchanges
from ops.report import Figures, render
from ops.store import StoredEvent


def user(sender: str, text: str, intent: str, confidence: float = 0.9) -> StoredEvent:
    parse_data = {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.5},
            {"name": intent, "confidence": confidence},
            {"name": "ask_brace", "confidence": 0.05},
            {"name": "help", "confidence": 0.03},
            {"name": "greet", "confidence": 0.02},
        ],
        "entities": [],
    }
    data = {"text": text, "parse_data": parse_data, "input_channel": "widget"}
    return StoredEvent(sender, "user", 1.0, None, data)


def bot(sender: str, response: str | None = None, fact: str | None = None) -> StoredEvent:
    metadata = {
        key: value for key, value in (("utter_action", response), ("fact_id", fact)) if value
    }
    return StoredEvent(sender, "bot", 2.0, None, {"metadata": metadata})


def test_replies_go_to_the_message_of_their_own_conversation_when_conversations_interleave() -> (
    None
):
    events = [
        user("a", "how long is recovery", "ask_recovery_time"),
        user("b", "price?", "out_of_scope"),
        bot("a", fact="recovery_time"),
        bot("b", "utter_cannot_answer"),
        StoredEvent("a", "action", 2.0, "action_listen", {}),
        bot("a", "utter_provider_pointer"),
        user("a", "thanks", "thanks"),
        bot("a", "utter_welcome"),
    ]
    found = {(e.sender_id, e.text): e for e in exchanges(events)}
    assert found["a", "how long is recovery"].facts == ["recovery_time"]
    assert found["a", "how long is recovery"].responses == ["utter_provider_pointer"]
    assert found["b", "price?"].refused and found["b", "price?"].unanswered
    assert found["a", "thanks"].responses == ["utter_welcome"]
    assert found["a", "thanks"].ranking == [("thanks", 0.9), ("ask_brace", 0.05), ("help", 0.03)]


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "replies", "unanswered"),
    [
        (
            "can I golf",
            "ask_mobility",
            LOW_CONFIDENCE + 0.1,
            [bot("s", fact="fusion_mobility")],
            False,
        ),
        (
            "can I golf",
            "ask_mobility",
            LOW_CONFIDENCE - 0.1,
            [bot("s", fact="fusion_mobility")],
            True,
        ),
        ("blah", "nlu_fallback", 0.5, [bot("s", "utter_cannot_answer")], True),
        ("/ask_brace", "ask_brace", 1.0, [bot("s", "utter_cannot_answer")], False),
        ("/feedback{}", "feedback", 1.0, [bot("s", "utter_feedback_thanks")], False),
        ("hi", "greet", 0.4, [bot("s", "utter_greet")], False),
    ],
)
def test_unanswered_means_refused_or_a_fact_given_with_low_confidence(
    text: str, intent: str, confidence: float, replies: list[StoredEvent], unanswered: bool
) -> None:
    (exchange,) = exchanges([user("s", text, intent, confidence), *replies])
    assert exchange.unanswered is unanswered


def test_similar_questions_share_a_group_and_the_biggest_comes_first() -> None:
    texts = Counter(
        {
            "how much does the surgery cost": 3,
            "how much does surgery cost?": 2,
            "what does the surgery cost": 1,
            "can I fly to Spain next month": 2,
            "can i fly to spain": 1,
        }
    )
    groups = group_similar(texts)
    assert [group.count for group in groups] == [6, 3]
    assert groups[0].examples[0] == "how much does the surgery cost"
    assert set(groups[1].examples) == {"can I fly to Spain next month", "can i fly to spain"}


def test_a_group_shows_at_most_five_examples() -> None:
    groups = group_similar(Counter({f"how much does surgery cost {n}": 1 for n in range(9)}))
    assert len(groups) == 1 and groups[0].count == 9 and len(groups[0].examples) == 5


MARKUP = """<script>alert("x")</script> & <img src=x onerror=alert(1)>"""


@pytest.mark.parametrize("show_text", [True, False])
def test_the_page_escapes_what_patients_typed(show_text: bool) -> None:
    figures = Figures(
        days=1,
        show_text=show_text,
        unanswered=2,
        emergencies={MARKUP: 1},
        groups=[{"count": 2, "examples": [MARKUP] if show_text else []}],
    )
    page = render(figures, 0.0)
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x"
    assert "<script>" not in page and "<img src=x" not in page
    assert page.count(escaped) == (2 if show_text else 1)
    assert ('<ol id="groups">' in page) == show_text and ('id="groups"' in page)
