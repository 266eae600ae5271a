"""No credential-looking value in any file git tracks: secrets come from the environment only."""

import re
import subprocess

import pytest

from core.paths import PROJECT_ROOT

# Shapes of real credentials; test stand-ins ("xoxb-test-token") do not have them.
SECRET_PATTERNS = {
    "Slack token": re.compile(r"\bxox[abposr]-\d{6,}-[0-9A-Za-z-]{6,}"),
    "Meta access token": re.compile(r"\bEAA[0-9A-Za-z]{30,}"),
    "Twilio account SID": re.compile(r"\bAC[0-9a-f]{32}\b"),
    "Telegram bot token": re.compile(r"\b\d{8,10}:[0-9A-Za-z_-]{35}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "value of a key, secret, token or password": re.compile(
        r"(?i)(?:key|secret|token|passw(?:or)?d)[\w-]*[\"']?\s*[:=]\s*[\"']?"
        r"(?=[A-Za-z0-9+/_=-]*\d)(?=[A-Za-z0-9+/_=-]*[a-z])[A-Za-z0-9+/_-]{24,}={0,2}"
    ),
}


def tracked_texts() -> dict[str, str]:
    """The text of every tracked file that is text and still exists."""
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    texts = {}
    for name in filter(None, names):
        path = PROJECT_ROOT / name.decode()
        if path.is_file() and b"\0" not in (content := path.read_bytes()):
            texts[name.decode()] = content.decode(errors="replace")
    return texts


def findings(text: str) -> list[str]:
    return [kind for kind, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


def test_no_tracked_file_holds_a_credential() -> None:
    texts = tracked_texts()
    assert "credentials.yml" in texts
    found = {name: kinds for name, text in texts.items() if (kinds := findings(text))}
    assert found == {}


# Built from parts, so that this file does not hold what it looks for.
@pytest.mark.parametrize(
    "text",
    [
        "slack_token: xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "FACEBOOK_PAGE_ACCESS_TOKEN=EAA" + "BsbCS1iHgBAKZBZCZB2ZCi7ZBLZBkZAwNZC4Zz",
        "account_sid: AC" + "0123456789abcdef0123456789abcdef",
        "token: 123456789:" + "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        'api_key = "' + "9f86d081884c7d659a2feaa0c55ad015" + '"',
        "password: " + "c2VjcmV0LXBhc3N3b3JkLTIwMjQ=",
    ],
)
def test_each_kind_of_credential_is_recognised(text: str) -> None:
    assert findings(text)


@pytest.mark.parametrize(
    "text",
    [
        '"slack_token": "SLACK_TOKEN"',
        '"SLACK_TOKEN": "xoxb-test-token"',
        '"FACEBOOK_PAGE_ACCESS_TOKEN": "test-page-access-token"',
        "secret = derived_secret_token(token)",
    ],
)
def test_names_and_test_stand_ins_are_not_credentials(text: str) -> None:
    assert findings(text) == []
