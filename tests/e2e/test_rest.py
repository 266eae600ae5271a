"""End to end through both real servers and the REST channel, as a user of `make run` sees it."""

import pytest

from core.facts import Content
from core.feedback import feedback_payload
from evaluation.support.running_assistant import RunningAssistant

TOPIC_QUESTIONS = {
    "ask_what_is_fusion": "what exactly is a spinal fusion?",
    "ask_fusion_necessity": "do I really need a fusion?",
    "ask_mobility": "will a fusion limit my movement?",
    "ask_recovery_time": "how long does recovery take after a spinal fusion?",
}


@pytest.mark.parametrize("intent, question", TOPIC_QUESTIONS.items())
def test_each_topic_gets_its_fact_verbatim_and_the_referral(
    assistant: RunningAssistant, content: Content, intent: str, question: str
) -> None:
    texts = assistant.texts(assistant.new_conversation(), question)
    assert texts[0] == content.fact_for_intent(intent).answer
    assert content.provider.contact() in texts[1]
    assert "qualified healthcare provider" in texts[1]


@pytest.mark.parametrize("messages_between", [0, 997])
def test_follow_ups_are_answered_from_the_topic(
    assistant: RunningAssistant, content: Content, messages_between: int
) -> None:
    """At any length: after 997 more messages the topic was set long before the turns the
    tracker store loads, and every message is still stored.
    """
    sender = assistant.new_conversation()
    recovery = content.facts_in_topic("recovery")
    assert assistant.texts(sender, "how long is the recovery")[0] == recovery[0].answer
    for number in range(messages_between):
        assert assistant.texts(sender, "thanks" if number % 2 else "ok, thank you")
    assert assistant.texts(sender, "tell me more")[0] == recovery[1].answer
    assert (
        assistant.texts(sender, "will I need a brace?")[0]
        == content.fact_for_intent("ask_brace").answer
    )
    assert len(assistant.stored_user_texts(sender)) == messages_between + 4


def test_golf_question_names_golf_then_gives_the_mobility_fact(
    assistant: RunningAssistant, content: Content
) -> None:
    texts = assistant.texts(assistant.new_conversation(), "can I play golf after a fusion?")
    assert "golf" in texts[0]
    assert texts[1] == content.fact_for_intent("ask_mobility").answer


def test_question_beyond_the_facts_gets_no_fact(
    assistant: RunningAssistant, content: Content
) -> None:
    replies = assistant.send(
        assistant.new_conversation(), "how much does a spinal fusion cost with my insurance?"
    )
    texts = [reply.get("text", "") for reply in replies]
    assert not {fact.answer for fact in content.facts} & set(texts)
    assert any(content.provider.contact() in text for text in texts)
    assert any(reply.get("buttons") for reply in replies)


@pytest.mark.parametrize(
    "question",
    [
        "how long is recovery after a knee replacement?",
        "will a microdiscectomy limit my movement?",
        "do I need a fusion or is a laminectomy enough?",
    ],
)
def test_another_operation_gets_only_spinal_fusion_and_no_fact(
    assistant: RunningAssistant, content: Content, question: str
) -> None:
    texts = assistant.texts(assistant.new_conversation(), question)
    assert "I only have information about spinal fusion" in texts[0]
    assert content.provider.contact() in texts[0]
    assert not {fact.answer for fact in content.facts} & set(texts)


def test_a_specific_is_said_not_covered_before_the_general_fact(
    assistant: RunningAssistant, content: Content
) -> None:
    texts = assistant.texts(
        assistant.new_conversation(), "can I go back to work 6 weeks after a spinal fusion?"
    )
    assert texts[0].startswith('You mentioned "6 weeks".')
    assert "does not cover that specifically" in texts[0]
    assert texts[1] == content.fact_for_intent("ask_recovery_time").answer


@pytest.mark.parametrize(
    ("message", "intents"),
    [
        (
            "What does a fusion involve? And how long does recovery take?",
            ["ask_what_is_fusion", "ask_recovery_time"],
        ),
        (
            "how long until i am back to normal and will my back be stiff after",
            ["ask_recovery_time", "ask_mobility"],
        ),
    ],
)
def test_several_questions_get_each_fact_in_the_order_asked(
    assistant: RunningAssistant, content: Content, message: str, intents: list[str]
) -> None:
    texts = assistant.texts(assistant.new_conversation(), message)
    facts = {fact.answer for fact in content.facts}
    assert [text for text in texts if text in facts] == [
        content.fact_for_intent(intent).answer for intent in intents
    ]
    assert sum(content.provider.contact() in text for text in texts) == 1


@pytest.mark.parametrize(
    "message",
    ["Wie lange dauert die Erholung nach einer Versteifung?", "¿Es necesaria la cirugía?"],
)
def test_another_language_gets_english_only_and_the_emergency_line(
    assistant: RunningAssistant, content: Content, message: str
) -> None:
    texts = assistant.texts(assistant.new_conversation(), message)
    assert len(texts) == 1
    assert "only read and answer messages in English" in texts[0]
    assert "If you think you have an emergency, call your emergency number now." in texts[0]
    assert content.provider.contact() in texts[0]


def test_help_offers_topic_buttons(assistant: RunningAssistant) -> None:
    replies = assistant.send(assistant.new_conversation(), "what can you do?")
    payloads = [button["payload"] for reply in replies for button in reply.get("buttons", [])]
    assert "/ask_recovery_time" in payloads and "/ask_mobility" in payloads


def test_two_answers_get_one_feedback_question_whose_buttons_name_each_answer(
    assistant: RunningAssistant, content: Content
) -> None:
    """Once "Was the answer on recovery helpful?" twice, word for word, each with Yes and No."""
    replies = assistant.send(
        assistant.new_conversation(),
        "how long will I be off work after the fusion, and will I have to wear a brace?",
    )
    time_off = content.fact_for_intent("ask_recovery_time")
    brace = content.fact_for_intent("ask_brace")
    assert [reply.get("text") for reply in replies][:2] == [time_off.answer, brace.answer]
    [ask] = [reply for reply in replies if reply.get("buttons")]
    assert ask["text"] == "Were these answers helpful?"
    assert [(b["title"], b["payload"]) for b in ask["buttons"]] == [
        ("Time off work: yes", feedback_payload(time_off.id, True)),
        ("Time off work: no", feedback_payload(time_off.id, False)),
        ("The brace: yes", feedback_payload(brace.id, True)),
        ("The brace: no", feedback_payload(brace.id, False)),
    ]


def test_conversation_survives_a_restart(tmp_path, content: Content) -> None:
    """The SQLite tracker store keeps the topic under discussion across a restart."""
    running = RunningAssistant(tmp_path).start()
    sender = running.new_conversation()
    try:
        running.texts(sender, "how long will I be off work after the fusion?")
        assert running.stop() == 0
        running.start()
        assert (
            running.texts(sender, "tell me more")[0] == content.facts_in_topic("recovery")[1].answer
        )
    finally:
        running.stop()
