"""Every messaging channel end to end: the platform's own webhook post, signed as it signs it,
through our subclass of Rasa's connector in the real server, and what the user then receives
through the platform's API.
"""

import urllib.request

import pytest
import yaml

from core.facts import Content
from core.paths import PROJECT_ROOT
from extensions.channels.common import NUMBERED_OPTIONS_HINT, TOO_LONG_REPLY
from extensions.channels.message_limits import MAX_MESSAGE_CHARS
from extensions.channels.telegram import derived_secret_token
from tests.e2e.channels.conftest import Conversation
from tests.support.platforms import CHANNEL_ENV, PlatformAPIs
from tests.support.rasa_in_process import InProcessRasa

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
TOPICS = [
    (button["title"], button["payload"])
    for button in DOMAIN["responses"]["utter_help"][0]["buttons"]
]
NUMBERED_TOPICS = [f"{number}. {title}" for number, (title, _) in enumerate(TOPICS, start=1)]
# How each platform shows the topics: buttons, and whether the text lists them by number.
# Messenger's quick replies hold 20 characters, fewer than the topics' titles: they get numbers.
OPTIONS_SHOWN = {
    "telegram": (TOPICS, False),
    "slack": (TOPICS, False),
    "facebook": ([(str(number), payload) for number, (_, payload) in enumerate(TOPICS, 1)], True),
    "twilio": ([], True),
}
LONG_QUESTION = "Will I be able to garden, lift my grandchildren and drive after the operation? "


def texts(replies: list) -> list[str]:
    return [reply.text for reply in replies]


def test_the_disclaimer_comes_with_the_first_reply_then_the_curated_answer(
    conversation: Conversation, content: Content
) -> None:
    replies = texts(conversation.say("what is a spinal fusion?"))
    assert replies[:2] == [content.disclaimer, content.fact_for_intent("ask_what_is_fusion").answer]
    assert content.provider.contact() in replies[2]


def test_a_red_flag_gets_the_emergency_guidance_even_as_a_first_message(
    conversation: Conversation, content: Content
) -> None:
    replies = texts(conversation.say("since this morning I can't control my bladder"))
    assert replies == [content.disclaimer, content.emergency["red_flag"]]


def test_the_topics_are_offered_as_the_platform_can_show_them(
    conversation: Conversation,
) -> None:
    conversation.say("hello")
    [options] = conversation.say("what can you do?")
    buttons, numbered = OPTIONS_SHOWN[conversation.client.name]
    lines = options.text.splitlines()
    assert list(options.buttons) == buttons
    assert (lines[1:] == [*NUMBERED_TOPICS, NUMBERED_OPTIONS_HINT]) == numbered


def test_choosing_the_second_topic_answers_it(conversation: Conversation, content: Content) -> None:
    conversation.say("hello")
    [options] = conversation.say("what can you do?")
    # A tap on the second button or, on SMS and WhatsApp, the reply "2".
    replies = conversation.click(*options.buttons[1]) if options.buttons else conversation.say("2")
    assert texts(replies)[0] == content.fact_for_intent("ask_fusion_necessity").answer


def test_a_message_over_the_limit_gets_a_polite_refusal_and_never_reaches_nlu(
    conversation: Conversation,
) -> None:
    message = (LONG_QUESTION * 20)[: MAX_MESSAGE_CHARS + 1]
    assert texts(conversation.say(message)) == [TOO_LONG_REPLY]
    assert conversation.events() == 0


def test_a_message_at_the_limit_is_answered(conversation: Conversation) -> None:
    replies = conversation.say((LONG_QUESTION * 20)[:MAX_MESSAGE_CHARS])
    assert replies and TOO_LONG_REPLY not in texts(replies)
    assert conversation.events() > 0


@pytest.mark.parametrize("signature", ["bad", "missing"])
def test_a_post_without_a_valid_signature_is_refused_and_unanswered(
    conversation: Conversation, signature: str
) -> None:
    status = conversation.client.say(conversation.user, "what is a spinal fusion?", signature)
    conversation.settle()
    assert status == 403
    assert conversation.received() == []
    assert conversation.events() == 0


@pytest.mark.parametrize("client", ["sms"], indirect=True)
def test_a_number_picks_from_the_options_the_user_saw_last(
    conversation: Conversation, content: Content
) -> None:
    conversation.say("what can you do?")
    assert texts(conversation.say("2"))[0] == content.fact_for_intent("ask_fusion_necessity").answer
    # The list is still on the phone's screen, above that answer.
    assert texts(conversation.say("3"))[0] == content.fact_for_intent("ask_mobility").answer


@pytest.mark.parametrize("client", ["telegram", "slack", "sms", "whatsapp"], indirect=True)
def test_was_this_helpful_comes_with_buttons_where_the_platform_has_them(
    conversation: Conversation, content: Content
) -> None:
    replies = conversation.say("what is a spinal fusion?")
    asks = [reply for reply in replies if reply.text.startswith("Was this helpful?")]
    if conversation.client.name == "twilio":
        assert asks == [] and not any(reply.buttons for reply in replies)
        return
    [ask] = asks
    assert [title for title, _ in ask.buttons] == ["Yes", "No"]
    assert content.provider.contact() in texts(conversation.click(*ask.buttons[1]))[0]
    assert conversation.stored("user")[-1].startswith('/feedback{"fact":"what_is_fusion"')


@pytest.mark.parametrize("client", ["messenger", "sms"], indirect=True)
def test_a_number_typed_after_a_fact_still_picks_a_topic_not_a_verdict(
    conversation: Conversation, content: Content
) -> None:
    conversation.say("what can you do?")
    conversation.say("what is a spinal fusion?")
    assert texts(conversation.say("2"))[0] == content.fact_for_intent("ask_fusion_necessity").answer


@pytest.mark.parametrize("client", ["telegram"], indirect=True)
def test_telegram_shows_one_button_per_row(conversation: Conversation) -> None:
    conversation.say("hello")
    [options] = conversation.say("what can you do?")
    assert options.rows == (1,) * len(TOPICS)


def test_the_telegram_webhook_is_set_with_a_secret_token(
    rasa_server: InProcessRasa, platform_apis: PlatformAPIs
) -> None:
    token = CHANNEL_ENV["TELEGRAM_ACCESS_TOKEN"]
    assert platform_apis.telegram_webhooks[0] == {
        "url": CHANNEL_ENV["TELEGRAM_WEBHOOK_URL"],
        "secret_token": derived_secret_token(token),
    }
    assert token not in derived_secret_token(token)


def test_messenger_webhook_verification_is_not_asked_for_a_signature(
    rasa_server: InProcessRasa,
) -> None:
    query = f"hub.mode=subscribe&hub.verify_token={CHANNEL_ENV['FACEBOOK_VERIFY']}&hub.challenge=42"
    url = f"{rasa_server.url}/webhooks/facebook/webhook?{query}"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"42"


def test_delete_my_conversation_asks_then_deletes_every_event_on_a_yes(
    conversation: Conversation,
) -> None:
    conversation.say("hello")
    [question] = conversation.say("delete my conversation")
    assert "Reply YES" in question.text
    # A tap on "Yes, delete it" where the platform shows buttons; on SMS and WhatsApp, "YES".
    replies = (
        conversation.click(*question.buttons[0]) if question.buttons else conversation.say("YES")
    )
    assert "deleted this conversation" in texts(replies)[0]
    assert conversation.events() == 0


def test_delete_my_conversation_then_no_deletes_nothing(conversation: Conversation) -> None:
    conversation.say("hello")
    conversation.say("erase this chat")
    stored = conversation.events()
    conversation.say("no")
    assert conversation.events() > stored
    assert conversation.stored("user")[-2:] == ["erase this chat", "no"]
