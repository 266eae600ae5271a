"""The default rate limits on a real server, behind a reverse proxy on the same host: a client
that gives every message a new sender id is refused, by its own address, once past the ceiling
on new conversations; another client is answered meanwhile.
"""

import math
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from evaluation.support.running_assistant import NO_RATE_LIMITS, RunningAssistant
from extensions.channels.rate_limits import RateLimits
from tests.e2e.test_rate_limits import post

# A blank variable is unset: the defaults of extensions/channels/rate_limits.py apply.
DEFAULT_LIMITS = {variable: "" for variable in NO_RATE_LIMITS}
MESSAGES = 120
# What nginx on the same host adds for a client out there.
ROTATING_CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.4"


@pytest.fixture(scope="module")
def default_limits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    running = RunningAssistant(tmp_path_factory.mktemp("default-limits"), env=DEFAULT_LIMITS)
    yield running.start()
    running.stop()


@pytest.mark.parametrize("channel", ["rest", "widget"])
def test_a_new_sender_id_for_every_message_meets_429_past_the_ceiling(
    default_limits: RunningAssistant, channel: str
) -> None:
    url = f"{default_limits.url}/webhooks/{channel}/webhook"
    forwarded = {"X-Forwarded-For": ROTATING_CLIENT}

    def rotated(number: int) -> int:
        sender = f"rotated-{number}-{uuid.uuid4().hex[:8]}"
        return post(url, sender, "what is a spinal fusion?", forwarded)[0]

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(rotated, range(MESSAGES)))
    ceiling = RateLimits.from_settings(None, {}).new_senders
    refilled = math.ceil((time.monotonic() - start) * ceiling.per_minute / 60)
    accepted = statuses.count(200)
    assert statuses.count(429) == MESSAGES - accepted
    assert ceiling.burst <= accepted <= ceiling.burst + refilled, statuses
    other = post(url, f"patient-{uuid.uuid4().hex[:8]}", "hi", {"X-Forwarded-For": OTHER_CLIENT})
    assert other[0] == 200
