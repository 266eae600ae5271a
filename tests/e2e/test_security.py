"""What an operator gets by default and when switching things on: API, CORS, listening addresses."""

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from evaluation.support.running_assistant import RunningAssistant

API_TOKEN = "test-api-token-not-a-secret"
CLINIC = "https://www.clinic.example"
ELSEWHERE = "https://evil.example"
LISTEN = "0A"


def status_and_headers(url: str, **headers: str) -> tuple[int, dict[str, str]]:
    """Status and headers of a GET, whatever its status."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the TCP sockets listening on a port, as the kernel shows them."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == LISTEN:
                addresses.add(address)
    return addresses


@pytest.fixture(scope="module")
def assistant_with_api(tmp_path_factory: pytest.TempPathFactory) -> RunningAssistant:
    """Both servers with the HTTP API and CORS for one origin, as an operator turns them on."""
    env = {"RASA_API_TOKEN": API_TOKEN, "RASA_CORS_ORIGINS": CLINIC}
    running = RunningAssistant(tmp_path_factory.mktemp("api-on"), env=env).start()
    yield running
    running.stop()


def test_the_http_api_is_off_by_default(assistant: RunningAssistant) -> None:
    for path in ("/status", f"/status?token={API_TOKEN}", "/conversations/x/tracker", "/model"):
        assert status_and_headers(f"{assistant.url}{path}")[0] == 404


def test_the_http_api_needs_the_token_when_on(assistant_with_api: RunningAssistant) -> None:
    url = f"{assistant_with_api.url}/status"
    assert status_and_headers(url)[0] == 401
    assert status_and_headers(f"{url}?token=wrong")[0] == 401
    assert status_and_headers(f"{url}?token={API_TOKEN}")[0] == 200
    tracker = f"{assistant_with_api.url}/conversations/someone/tracker"
    assert status_and_headers(tracker)[0] == 401


def test_no_origin_gets_cors_headers_by_default(assistant: RunningAssistant) -> None:
    _, headers = status_and_headers(f"{assistant.url}/webhooks/rest/", Origin=CLINIC)
    assert "Access-Control-Allow-Origin" not in headers


def test_only_configured_origins_get_cors_headers(assistant_with_api: RunningAssistant) -> None:
    url = f"{assistant_with_api.url}/webhooks/rest/"
    _, refused = status_and_headers(url, Origin=ELSEWHERE)
    assert "Access-Control-Allow-Origin" not in refused
    _, allowed = status_and_headers(url, Origin=CLINIC)
    assert allowed["Access-Control-Allow-Origin"] == CLINIC


def test_the_action_server_listens_on_loopback_only(assistant: RunningAssistant) -> None:
    assert listening_addresses(assistant.action_port) == {"0100007F"}
