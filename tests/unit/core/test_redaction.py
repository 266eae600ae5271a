"""Contact details people type never reach a log: redaction, and its installation in each server."""

import logging
import sys
from collections.abc import Iterator

import pytest
from rasa_sdk.executor import ActionExecutor

from core.redaction import RedactingRecordFactory, RedactPersonalData, install, redact

EMAIL = "jane.doe+spine@example-clinic.org"
PHONE = "+1 (555) 123-4567"
MARKER = "zebraquartz"
MESSAGE = f"my email is {EMAIL}, call me on {PHONE} about {MARKER} recovery"


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"write to {EMAIL} today", "write to [email] today"),
        (f"call {PHONE}", "call [phone]"),
        ("call 555.123.4567 or 0044 20 7946 0958", "call [phone] or [phone]"),
        ('{"confidence": 0.98765432}', '{"confidence": 0.98765432}'),
        ("Refused a 1001-character message on rest.", "Refused a 1001-character message on rest."),
        (
            "sender bad-input-6dc411760957 on port 5055",
            "sender bad-input-6dc411760957 on port 5055",
        ),
        # Dates, versions and ids are kept.
        (
            "POST https://api.twilio.com/2010-04-01/Accounts/AC0123/Messages.json",
            "POST https://api.twilio.com/2010-04-01/Accounts/AC0123/Messages.json",
        ),
        ("2024-11-30 10:11:12,345 INFO started", "2024-11-30 10:11:12,345 INFO started"),
        ("rasa 3.6.21, sanic 21.12.2, API v19.0", "rasa 3.6.21, sanic 21.12.2, API v19.0"),
        (
            "event 6f1c2e9a-1b2c-4d5e-8f90-123456789abc, message m_4f3e2d1c0b",
            "event 6f1c2e9a-1b2c-4d5e-8f90-123456789abc, message m_4f3e2d1c0b",
        ),
        ("on 2024-11-30 call 555-123-4567", "on 2024-11-30 call [phone]"),
    ],
)
def test_emails_and_phone_numbers_are_redacted_and_nothing_else(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "POST /v19.0/me/messages?access_token=EAAGm0PX4ZCps&appsecret_proof=1",
            "POST /v19.0/me/messages?access_token=[secret]&appsecret_proof=1",
        ),
        (
            "https://api.telegram.org/bot123456789:AAE-x_9/sendMessage",
            "https://api.telegram.org/bot[secret]/sendMessage",
        ),
        ("Authorization: Bearer xoxb-1234-5678-abcd", "Authorization: Bearer [secret]"),
    ],
)
def test_secrets_in_the_shapes_the_clients_log_them_are_hidden(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_registered_secret_values_are_hidden_wherever_they_appear() -> None:
    logged = "signing secret s3cr3t-signing, auth s3cr3t-signing-2 in 'b=s3cr3t-signing'"
    assert redact(logged, ["s3cr3t-signing", "s3cr3t-signing-2"]) == (
        "signing secret [secret], auth [secret] in 'b=[secret]'"
    )


def test_a_traceback_is_redacted_too() -> None:
    try:
        raise ConnectionError(f"no route for https://graph.example/?access_token=abc to {EMAIL}")
    except ConnectionError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    RedactPersonalData().filter(record)
    formatted = logging.Formatter().format(record)
    assert "access_token=[secret]" in formatted and "[email]" in formatted
    assert "abc" not in formatted and EMAIL not in formatted


def test_the_filter_redacts_the_formatted_message() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user said %r", (MESSAGE,), None)
    assert RedactPersonalData().filter(record)
    assert EMAIL not in record.getMessage() and "[email]" in record.getMessage()


@pytest.fixture
def plain_logging() -> Iterator[None]:
    """Logging's own record factory, whatever earlier tests or servers installed; put back after."""
    original = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    yield
    logging.setLogRecordFactory(original)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """What a child logger of Rasa's writes of MESSAGE."""
    caplog.clear()
    with caplog.at_level(logging.INFO):
        logging.getLogger("rasa.core.some.child").info("text: %s", MESSAGE)
    return caplog.text


def test_install_covers_every_logger_and_only_once(
    plain_logging: None, caplog: pytest.LogCaptureFixture
) -> None:
    assert EMAIL in logged(caplog)
    install()
    install()
    factory = logging.getLogRecordFactory()
    assert isinstance(factory, RedactingRecordFactory)
    assert factory.create_record is logging.LogRecord
    text = logged(caplog)
    assert EMAIL not in text and PHONE not in text and "[email]" in text


def test_the_action_server_installs_it_with_the_actions(
    plain_logging: None, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a fresh action server, whatever earlier tests imported.
    monkeypatch.delitem(sys.modules, "actions.logging_privacy", raising=False)
    assert EMAIL in logged(caplog)
    ActionExecutor().register_package("actions")
    text = logged(caplog)
    assert EMAIL not in text and "[email]" in text
