"""Rate limits: settings, token buckets, client addresses and the messaging channels' hook."""

import asyncio
from ipaddress import ip_network
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from core.facts import Content
from extensions.channels.rate_limits import (
    LOOPBACK,
    MAX_KEYS,
    WAIT_REPLY,
    Limit,
    RateLimiter,
    RateLimits,
    TokenBuckets,
    client_address,
    limit_messages,
    request_address,
)

PROXIES = (ip_network("10.0.0.0/8"), ip_network("127.0.0.1"))
NO_LIMIT = Limit(0, 0)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(
    sender: Limit, address: Limit = NO_LIMIT, new_senders: Limit = NO_LIMIT
) -> tuple[RateLimiter, Clock]:
    clock = Clock()
    return RateLimiter(RateLimits(sender, address, new_senders), clock), clock


def test_defaults_suit_a_person_typing_and_a_shared_address() -> None:
    limits = RateLimits.from_settings(None, {})
    assert limits.sender == Limit(per_minute=20, burst=5)
    assert limits.address == Limit(per_minute=300, burst=60)
    assert limits.new_senders == Limit(per_minute=10, burst=20)
    assert limits.trusted_proxies == LOOPBACK


def test_the_environment_overrides_credentials_which_override_the_defaults() -> None:
    settings = {"sender_per_minute": 10, "sender_burst": 2, "trusted_proxies": ["10.0.0.0/8"]}
    env = {"RATE_LIMIT_SENDER_BURST": "7", "RATE_LIMIT_ADDRESS_PER_MINUTE": "0"}
    limits = RateLimits.from_settings(settings, env)
    assert limits.sender == Limit(per_minute=10, burst=7)
    assert not limits.address.enabled
    assert limits.trusted_proxies == (*LOOPBACK, ip_network("10.0.0.0/8"))


@pytest.mark.parametrize("value", ["-1", "many", None])
def test_a_setting_that_is_not_a_count_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="sender_per_minute"):
        RateLimits.from_settings({"sender_per_minute": value}, {})


def test_a_burst_then_one_message_per_interval() -> None:
    limits, clock = limiter(Limit(per_minute=20, burst=5))
    assert [limits.retry_after("flood") for _ in range(5)] == [0] * 5
    assert limits.retry_after("flood") == pytest.approx(3.0)
    assert limits.retry_after("someone else") == 0
    clock.now += 2.9
    assert limits.retry_after("flood") == pytest.approx(0.1)
    clock.now += 0.1
    assert limits.retry_after("flood") == 0
    assert limits.retry_after("flood") == pytest.approx(3.0)


def test_refused_messages_do_not_lengthen_the_wait() -> None:
    limits, clock = limiter(Limit(per_minute=60, burst=1))
    limits.retry_after("flood")
    for _ in range(100):
        limits.retry_after("flood")
    clock.now += 1
    assert limits.retry_after("flood") == 0


def test_an_address_over_its_limit_refuses_every_sender_behind_it() -> None:
    limits, _ = limiter(Limit(per_minute=20, burst=5), Limit(per_minute=60, burst=3))
    assert [limits.retry_after(f"patient {n}", "203.0.113.9") for n in range(3)] == [0] * 3
    assert limits.retry_after("patient 3", "203.0.113.9") == pytest.approx(1.0)
    assert limits.retry_after("patient 3", "198.51.100.4") == 0


def test_an_address_may_start_only_so_many_conversations_whatever_its_address_limit() -> None:
    limits, clock = limiter(NO_LIMIT, NO_LIMIT, Limit(per_minute=6, burst=3))
    assert [limits.retry_after(f"rotated {n}", "203.0.113.9") for n in range(3)] == [0] * 3
    assert limits.retry_after("rotated 3", "203.0.113.9") == pytest.approx(10.0)
    assert all(limits.retry_after(f"rotated {n}", "203.0.113.9") == 0 for n in range(3))
    assert limits.retry_after("a patient elsewhere", "198.51.100.4") == 0
    assert limits.retry_after("on this machine") == 0
    clock.now += 10
    assert limits.retry_after("rotated 3", "203.0.113.9") == 0


def test_buckets_keep_the_keys_used_last_and_no_more() -> None:
    clock = Clock()
    buckets = TokenBuckets(Limit(per_minute=1, burst=1))
    buckets.take("flood", clock.now)
    for n in range(MAX_KEYS - 1):
        buckets.take(f"patient {n}", clock.now)
    buckets.take("flood", clock.now)
    buckets.take("one more", clock.now)
    assert len(buckets.buckets) == MAX_KEYS
    assert buckets.wait("flood", clock.now) > 0
    assert buckets.wait("patient 0", clock.now) == 0


def test_a_limit_of_zero_is_off() -> None:
    limits, _ = limiter(NO_LIMIT, NO_LIMIT)
    assert all(limits.retry_after("bench", "127.0.0.1") == 0 for _ in range(1000))


def test_a_polite_notice_at_most_once_a_minute() -> None:
    limits, clock = limiter(Limit(per_minute=20, burst=5))
    assert [limits.may_notify("flood") for _ in range(3)] == [True, False, False]
    clock.now += 59
    assert not limits.may_notify("flood")
    clock.now += 1
    assert limits.may_notify("flood")


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.4", "203.0.113.9"),  # not from a trusted proxy: ignored
        ("127.0.0.1", "198.51.100.4", "198.51.100.4"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.4, 10.1.2.3", "198.51.100.4"),  # first is forgeable
        ("127.0.0.1", "not an address", "not an address"),
        ("127.0.0.1", None, "127.0.0.1"),
    ],
)
def test_client_address_believes_x_forwarded_for_only_from_trusted_proxies(
    peer: str, forwarded_for: str | None, expected: str
) -> None:
    assert client_address(peer, forwarded_for, PROXIES) == expected


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "limited"),
    [
        ("127.0.0.1", None, None),
        ("::1", None, None),
        ("127.0.0.1", "198.51.100.4", "198.51.100.4"),
        ("203.0.113.9", None, "203.0.113.9"),
    ],
)
def test_a_loopback_client_has_no_address_limit(
    peer: str, forwarded_for: str | None, limited: str | None
) -> None:
    request = SimpleNamespace(
        ip=peer, headers={"x-forwarded-for": forwarded_for} if forwarded_for else {}
    )
    limits = RateLimits(NO_LIMIT, NO_LIMIT, trusted_proxies=PROXIES)
    assert request_address(request, limits) == limited


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "limited"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
        ("::1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        ("203.0.113.9", "198.51.100.4", "203.0.113.9"),
        ("127.0.0.1", None, None),
    ],
)
def test_by_default_a_reverse_proxy_on_this_host_reports_the_client_address(
    peer: str, forwarded_for: str | None, limited: str | None
) -> None:
    request = SimpleNamespace(
        ip=peer, headers={"x-forwarded-for": forwarded_for} if forwarded_for else {}
    )
    assert request_address(request, RateLimits.from_settings(None, {})) == limited


def send(handle: object, output: CollectingOutputChannel, text: str) -> None:
    asyncio.run(handle(UserMessage(text, output, "+15550001111", input_channel="twilio")))


def test_a_messaging_flood_gets_one_polite_reply_a_minute_and_red_flags_their_guidance(
    content: Content,
) -> None:
    limits, clock = limiter(Limit(per_minute=20, burst=2))
    handled: list[str] = []

    async def rasa(message: UserMessage) -> None:
        handled.append(message.text)

    handle = limit_messages(limits, rasa)
    output = CollectingOutputChannel()
    for number in range(6):
        send(handle, output, f"question {number}")
    assert handled == ["question 0", "question 1"]
    assert [message["text"] for message in output.messages] == [WAIT_REPLY]
    send(handle, output, "I can't control my bladder since this morning")
    assert output.messages[-1]["text"] == content.emergency["red_flag"]
    clock.now += 60
    send(handle, output, "question 6")
    assert handled == ["question 0", "question 1", "question 6"]
