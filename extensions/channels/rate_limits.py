"""Rate limits per sender and per client address, so that no single client can flood the
assistant: one Rasa process answers about 45 messages a second for every patient at once.

Token buckets: a sender or address may send `burst` messages at once, then `per_minute` a
minute; and an address may start `new_senders_burst` conversations (sender ids it has not used)
at once, then `new_senders_per_minute` a minute, since the client picks its sender id. A message
over a limit is refused before Rasa sees it (not analysed, not stored), unless it describes a
red flag: then it gets the emergency guidance straight from data/facts.yml, found by the same
cheap matcher Rasa's pipeline runs. Each Rasa replica counts on its own.

Settings, under a channel in credentials.yml (`rate_limits:`) or in the environment, which wins:
sender_per_minute (RATE_LIMIT_SENDER_PER_MINUTE), sender_burst, address_per_minute,
address_burst, new_senders_per_minute, new_senders_burst, and trusted_proxies
(RATE_LIMIT_TRUSTED_PROXIES, space-separated addresses or networks) whose X-Forwarded-For is
believed, besides loopback's (a reverse proxy on this host). A per-minute rate of 0 turns that
limit off. A client on loopback with no X-Forwarded-For (this machine) has only the sender limit.
"""

import logging
import math
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any, TypeVar

import spacy
from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from core.facts import load_content
from core.paths import SPACY_PIPELINE
from extensions.nlu.red_flags import RedFlagMatcher

logger = logging.getLogger(__name__)

DEFAULTS = {
    "sender_per_minute": 20,
    "sender_burst": 5,
    "address_per_minute": 300,
    "address_burst": 60,
    "new_senders_per_minute": 10,
    "new_senders_burst": 20,
    "trusted_proxies": "",
}
ENVIRONMENT = {name: f"RATE_LIMIT_{name.upper()}" for name in DEFAULTS}
# A flood on a messaging channel gets this once a minute at most, and nothing else.
NOTICE_SECONDS = 60.0
WAIT_REPLY = (
    "Please wait a moment before sending again. If you think you have an emergency, call your "
    "emergency number now."
)
TOO_MANY_MESSAGES = "too many messages; please wait a moment before sending again"
# Each store keeps the buckets (or senders) of this many keys, those used last: memory stays
# bounded under a flood of new keys, and the one forgotten, used longest ago, has most likely
# refilled.
MAX_KEYS = 10_000

Network = IPv4Network | IPv6Network
# A reverse proxy on this host connects from loopback: its X-Forwarded-For is always believed.
LOOPBACK = (ip_network("127.0.0.0/8"), ip_network("::1/128"))
Value = TypeVar("Value")
OnNewMessage = Callable[[UserMessage], Any]


@dataclass(frozen=True)
class Limit:
    """`burst` messages at once, then `per_minute` a minute; a rate of 0 is no limit."""

    per_minute: float
    burst: float

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0


@dataclass(frozen=True)
class RateLimits:
    sender: Limit
    address: Limit
    new_senders: Limit = Limit(per_minute=0, burst=0)
    trusted_proxies: tuple[Network, ...] = LOOPBACK

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, Any] | None, env: Mapping[str, str]
    ) -> "RateLimits":
        """Defaults, overridden by a channel's credentials.yml settings, then by the environment."""
        values = {**DEFAULTS, **(settings or {})}
        values.update({name: env[var] for name, var in ENVIRONMENT.items() if env.get(var)})
        proxies = values["trusted_proxies"]
        return cls(
            sender=Limit(rate(values, "sender_per_minute"), rate(values, "sender_burst")),
            address=Limit(rate(values, "address_per_minute"), rate(values, "address_burst")),
            new_senders=Limit(
                rate(values, "new_senders_per_minute"), rate(values, "new_senders_burst")
            ),
            trusted_proxies=LOOPBACK
            + tuple(
                ip_network(proxy, strict=False)
                for proxy in (proxies.split() if isinstance(proxies, str) else proxies)
            ),
        )


def rate(values: Mapping[str, Any], name: str) -> float:
    """A setting as a number of messages, 0 or more; anything else stops the server at start."""
    try:
        number = float(values[name])
    except (TypeError, ValueError):
        number = -1.0
    if not number >= 0:
        raise ValueError(f"rate limit {name} must be a number, 0 or more: {values[name]!r}")
    return number


class RecentKeys(OrderedDict[str, Value]):
    """The MAX_KEYS keys set last: setting one more forgets the one set longest ago, in O(1)."""

    def __setitem__(self, key: str, value: Value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > MAX_KEYS:
            self.popitem(last=False)


class TokenBuckets:
    """One token bucket per key: a message takes a token, tokens come back at the limit's rate."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.buckets: RecentKeys[tuple[float, float]] = RecentKeys()

    def tokens(self, key: str, now: float) -> float:
        tokens, updated = self.buckets.get(key, (self.limit.burst, now))
        return min(self.limit.burst, tokens + (now - updated) * self.limit.per_minute / 60)

    def wait(self, key: str, now: float) -> float:
        """Seconds until `key` may send again; 0 when it may now."""
        missing = 1 - self.tokens(key, now)
        return max(0.0, missing * 60 / self.limit.per_minute) if self.limit.enabled else 0.0

    def take(self, key: str, now: float) -> None:
        if not self.limit.enabled:
            return
        self.buckets[key] = (self.tokens(key, now) - 1, now)


class RateLimiter:
    """The limits of one channel in one process."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.senders = TokenBuckets(limits.sender)
        self.addresses = TokenBuckets(limits.address)
        self.new_senders = TokenBuckets(limits.new_senders)
        # The senders that came from a limited address, to tell a new one.
        self.known_senders: RecentKeys[None] = RecentKeys()
        self.notices = TokenBuckets(Limit(per_minute=60 / NOTICE_SECONDS, burst=1))

    def retry_after(self, sender: str, address: str | None = None) -> float:
        """0 when the message may go on (and it is counted); else the seconds to wait, and
        nothing is counted, so a refused flood does not lengthen its own wait.
        """
        now = self.clock()
        buckets = [(self.senders, sender)]
        if address is not None:
            buckets.append((self.addresses, address))
            if sender not in self.known_senders:
                buckets.append((self.new_senders, address))
        wait = max(bucket.wait(key, now) for bucket, key in buckets)
        if wait == 0:
            for bucket, key in buckets:
                bucket.take(key, now)
            if address is not None:
                self.known_senders[sender] = None
        return wait

    def may_notify(self, sender: str) -> bool:
        """True at most once every NOTICE_SECONDS for a sender: the polite reply to a flood."""
        now = self.clock()
        if self.notices.wait(sender, now):
            return False
        self.notices.take(sender, now)
        return True


def client_address(peer: str, forwarded_for: str | None, trusted: Iterable[Network]) -> str:
    """The client's address: the socket's peer, unless that is a trusted proxy; then the
    nearest address in X-Forwarded-For that is not a trusted proxy itself.
    """
    chain = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    for address in reversed([*chain, peer]):
        if not is_trusted(address, trusted):
            return address
    return chain[0] if chain else peer


def is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def request_address(request: Request, limits: RateLimits) -> str | None:
    """The address to limit: the client's, as a reverse proxy on this host or in trusted_proxies
    reports it; None for this machine itself (a local tool), which has only the sender limit.
    """
    address = client_address(
        request.ip, request.headers.get("x-forwarded-for"), limits.trusted_proxies
    )
    return None if is_loopback(address) else address


def is_loopback(address: str) -> bool:
    try:
        return ip_address(address).is_loopback
    except ValueError:
        return False


@cache
def emergency_detector() -> Callable[[str], str | None]:
    """The emergency guidance for a message with a red flag, else None: our spaCy pipeline and
    RedFlagMatcher, as Rasa's RedFlagDetector runs them on lowercased text, without Rasa.
    """
    nlp = spacy.load(SPACY_PIPELINE)
    matcher = RedFlagMatcher(nlp.vocab)
    emergency = load_content().emergency

    def guidance(text: str) -> str | None:
        red_flag = matcher.find(nlp(text.lower()))
        return emergency[red_flag.kind] if red_flag else None

    return guidance


def red_flag_guidance(text: str) -> str | None:
    """The emergency guidance for a message over the limit that describes a red flag."""
    guidance = emergency_detector()(text)
    if guidance:
        logger.info("Answered a red flag over the rate limit with the guidance, without Rasa.")
    return guidance


def over_limit_reply(limiter: RateLimiter, sender: str, text: str) -> str | None:
    """What a sender over the limit is told: the emergency guidance for a red flag, else the
    polite wait once a minute, else nothing.
    """
    guidance = red_flag_guidance(text)
    if guidance:
        return guidance
    return WAIT_REPLY if limiter.may_notify(sender) else None


def refuse_flood(
    limiter: RateLimiter,
    request: Request,
    sender: str,
    text: str,
    headers: dict[str, str] | None = None,
) -> HTTPResponse | None:
    """None when the message may reach Rasa; else 429 with Retry-After, or, for a red flag,
    the emergency guidance as Rasa's REST channel would answer it.
    """
    wait = limiter.retry_after(sender, request_address(request, limiter.limits))
    if not wait:
        return None
    guidance = red_flag_guidance(text)
    if guidance:
        return response.json([{"recipient_id": sender, "text": guidance}], headers=headers)
    return response.json(
        {"error": TOO_MANY_MESSAGES},
        status=429,
        headers={**(headers or {}), "Retry-After": str(math.ceil(wait))},
    )


def limit_messages(limiter: RateLimiter, on_new_message: OnNewMessage) -> OnNewMessage:
    """For a messaging channel, whose posts all come from the platform: per sender only, and a
    flood gets over_limit_reply instead of Rasa.
    """

    async def handle(message: UserMessage) -> None:
        if not limiter.retry_after(message.sender_id):
            await on_new_message(message)
            return
        reply = over_limit_reply(limiter, message.sender_id, message.text or "")
        if reply:
            await message.output_channel.send_text_message(message.sender_id, reply)

    return handle


def limiter_from_environment(settings: Mapping[str, Any] | None = None) -> RateLimiter:
    """A channel's limiter, from its credentials.yml settings and this process's environment.

    With a limit on, the red-flag check loads now, not while the first flood waits.
    """
    limits = RateLimits.from_settings(settings, os.environ)
    if limits.sender.enabled or limits.address.enabled:
        emergency_detector()
    return RateLimiter(limits)
