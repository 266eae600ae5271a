"""The helpers every messaging channel shares, on their own."""

import asyncio
import hashlib
import hmac
import urllib.parse

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from twilio.request_validator import RequestValidator

from actions.feedback import feedback_buttons
from extensions.channels.common import (
    NUMBERED_OPTIONS_HINT,
    TOO_LONG_REPLY,
    UNAVAILABLE_REPLY,
    chosen_payload,
    guard_messages,
    last_offered_buttons,
    numbered_options,
    same_secret,
    split_message,
)
from extensions.channels.facebook import hub_signature_valid
from extensions.channels.message_limits import MAX_MESSAGE_CHARS
from extensions.channels.telegram import derived_secret_token
from extensions.channels.twilio import signed_fields

BUTTONS = [
    {"title": "What is a spinal fusion?", "payload": "/ask_what_is_fusion"},
    {"title": "Do I really need one?", "payload": "/ask_fusion_necessity"},
]
SENTENCES = [
    "A spinal fusion is a common operation.",
    "The surgeon joins two vertebrae!",
    "Is it meant to reduce pain?",
]


def test_a_text_within_the_limit_is_one_message() -> None:
    assert split_message("  Short answer.  ", 100) == ["Short answer."]


def test_paragraphs_are_separate_messages_as_in_rasa() -> None:
    assert split_message("First.\n\nSecond.", 100) == ["First.", "Second."]


def test_a_long_paragraph_is_cut_after_the_last_sentence_that_fits() -> None:
    text = " ".join(SENTENCES)
    limit = len(SENTENCES[0]) + 1 + len(SENTENCES[1]) + 5
    assert split_message(text, limit) == [" ".join(SENTENCES[:2]), SENTENCES[2]]


@pytest.mark.parametrize("limit", range(40, 110, 7))
def test_no_part_is_over_the_limit_or_cut_mid_sentence(limit: int) -> None:
    parts = split_message(" ".join(SENTENCES * 3), limit)
    assert all(len(part) <= limit for part in parts)
    assert all(part[-1] in ".!?" for part in parts)
    assert " ".join(parts) == " ".join(SENTENCES * 3)


def test_a_sentence_exactly_at_the_limit_stays_whole() -> None:
    assert split_message(" ".join(SENTENCES[:2]), len(SENTENCES[0])) == SENTENCES[:2]


def test_numbered_options_are_cut_between_lines_never_after_their_number() -> None:
    text = numbered_options("Pick a topic:", BUTTONS)
    parts = split_message(text, len("Pick a topic:\n1. What is a spinal fusion?\n2. Do I"))
    assert parts == [
        "Pick a topic:\n1. What is a spinal fusion?",
        "2. Do I really need one?",
        NUMBERED_OPTIONS_HINT,
    ]


def test_a_sentence_longer_than_the_limit_is_cut_between_words_then_anywhere() -> None:
    assert split_message("one two three four", 9) == ["one two", "three", "four"]
    assert split_message("abcdefghij", 4) == ["abcd", "efgh", "ij"]


def test_numbered_options_list_each_title_under_the_text_and_say_how_to_choose() -> None:
    assert numbered_options("Pick one: ", BUTTONS).splitlines() == [
        "Pick one:",
        "1. What is a spinal fusion?",
        "2. Do I really need one?",
        NUMBERED_OPTIONS_HINT,
    ]


@pytest.mark.parametrize(
    "reply, payload",
    [
        ("1", "/ask_what_is_fusion"),
        (" 2 ", "/ask_fusion_necessity"),
        ("0", None),
        ("3", None),
        ("-1", None),
        ("2 please", None),
        ("two", None),
        ("", None),
    ],
)
def test_only_the_number_of_an_offered_option_chooses_it(reply: str, payload: str | None) -> None:
    assert chosen_payload(reply, BUTTONS) == payload


def test_the_options_offered_last_are_those_of_the_latest_message_with_buttons() -> None:
    older = [{"title": "Old", "payload": "/greet"}]
    events = [
        BotUttered("Pick:", data={"buttons": older}),
        UserUttered("hello"),
        BotUttered("Pick a topic:", data={"buttons": BUTTONS}),
        BotUttered("A fact."),
        ActionExecuted("action_listen"),
    ]
    assert last_offered_buttons(events) == BUTTONS
    assert last_offered_buttons([BotUttered("No options.")]) == []


def test_a_number_after_was_this_helpful_still_picks_from_the_topics() -> None:
    events = [
        BotUttered("Pick a topic:", data={"buttons": BUTTONS}),
        BotUttered("A fact."),
        BotUttered("Was this helpful?", data={"buttons": feedback_buttons("recovery_time")}),
    ]
    assert last_offered_buttons(events) == BUTTONS


def test_secrets_compare_equal_only_when_equal_whatever_the_characters() -> None:
    assert same_secret("s3cret", "s3cret")
    assert not same_secret("s3cret", "s3cre")
    assert not same_secret("sécret", "s3cret")


def test_a_hub_signature_is_the_sha256_hmac_of_the_body() -> None:
    body = b'{"object": "page"}'
    digest = hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    assert hub_signature_valid("app-secret", body, f"sha256={digest}")
    assert not hub_signature_valid("other-secret", body, f"sha256={digest}")
    assert not hub_signature_valid("app-secret", body + b" ", f"sha256={digest}")
    sha1 = hmac.new(b"app-secret", body, hashlib.sha1).hexdigest()
    assert not hub_signature_valid("app-secret", body, f"sha1={sha1}")
    assert not hub_signature_valid("app-secret", body, "")


def test_the_telegram_secret_token_is_derived_from_the_bot_token_without_revealing_it() -> None:
    secret = derived_secret_token("123:token")
    assert secret == derived_secret_token("123:token") != derived_secret_token("123:other")
    assert "token" not in secret and len(secret) <= 256


@pytest.mark.parametrize(
    "length, refused", [(MAX_MESSAGE_CHARS, False), (MAX_MESSAGE_CHARS + 1, True)]
)
def test_a_message_over_the_limit_is_answered_with_a_refusal_instead_of_handled(
    length: int, refused: bool
) -> None:
    handled = []

    async def on_new_message(message: UserMessage) -> None:
        handled.append(message.text)

    output = CollectingOutputChannel()
    message = UserMessage("x" * length, output, "user-1", input_channel="test")
    asyncio.run(guard_messages(on_new_message)(message))
    assert handled == ([] if refused else ["x" * length])
    assert [sent["text"] for sent in output.messages] == ([TOO_LONG_REPLY] if refused else [])


def test_a_message_that_cannot_be_handled_gets_a_polite_reply(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def on_new_message(message: UserMessage) -> None:
        raise ConnectionError("tracker store unreachable")

    output = CollectingOutputChannel()
    message = UserMessage("how long is recovery?", output, "user-1", input_channel="test")
    asyncio.run(guard_messages(on_new_message)(message))
    assert [sent["text"] for sent in output.messages] == [UNAVAILABLE_REPLY]
    assert "Could not handle a message on test" in caplog.text
    assert "how long is recovery" not in caplog.text


def test_twilio_signs_every_field_and_the_blank_ones_are_kept_for_the_check() -> None:
    url = "https://assistant.example.org/webhooks/twilio/webhook"
    form = {"Body": "", "ToCity": "", "From": "+15551234567", "NumMedia": "1"}
    body = urllib.parse.urlencode(form).encode()
    signature = RequestValidator("auth-token").compute_signature(url, form)
    assert signed_fields(body) == form
    assert RequestValidator("auth-token").validate(url, signed_fields(body), signature)
    # Without the blank fields, as Sanic's request.form has them, the same post fails the check.
    without_blanks = dict(urllib.parse.parse_qsl(body.decode()))
    assert not RequestValidator("auth-token").validate(url, without_blanks, signature)
