"""`make bench`: speed and cost of the real servers, driven through the REST channel.

Both servers start as `make run` starts them (scripts/run-assistant, SQLite tracker store), and
this separate process holds conversations with them over loopback: a bounded number of
messages at 1, 8 and 32 concurrent conversations, each level also bounded in time.
"""

import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.log_utils import configure_structlog

from core.paths import MODEL_PATH
from evaluation.speed.message_profile import (
    profile_endpoints,
    profile_messages,
    profile_table,
)
from evaluation.support.metrics import percentile
from evaluation.support.reporting import (
    HELDOUT_PATH,
    PROJECT_ROOT,
    RASA,
    context,
    describe,
    markdown_table,
)
from evaluation.support.running_assistant import RunningAssistant
from extensions.rasa_server import install_changes

OUTPUT = PROJECT_ROOT / "reports" / "bench"

# One conversation as people have it: greeting, the four topics, a follow-up, an unanswerable
# question, thanks. Every message gets at least one reply.
CONVERSATION = (
    "hi",
    "what is a spinal fusion?",
    "tell me more",
    "do I really need one?",
    "will I still be able to play golf",
    "how long is the recovery?",
    "will I need a brace",
    "how much does it cost",
    "thanks",
    "bye",
)
CONVERSATIONS_PER_LEVEL = {1: 20, 8: 48, 32: 96}
LEVEL_TIME_LIMIT = 120.0
# One long conversation: the p50 of these messages (1-based, inclusive), each as a ratio to the
# first window's. Bounded in time too.
LONG_CONVERSATION_MESSAGES = 1000
LONG_WINDOWS = ((7, 36), (281, 300), (981, 1000))
LONG_TIME_LIMIT = 300.0
PROFILE_ROUNDS = 10
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class Level:
    concurrency: int
    messages: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds


def summarize(concurrency: int, latencies: list[float], errors: int, seconds: float) -> Level:
    """Percentiles over every message sent at one level, errors included."""
    return Level(
        concurrency=concurrency,
        messages=len(latencies),
        errors=errors,
        seconds=seconds,
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
    )


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> bool:
    """One message through the REST webhook; True when the bot answered it."""
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            return response.status == 200 and bool(await response.json())
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False


async def run_level(url: str, concurrency: int, conversations: int) -> Level:
    """`concurrency` users, each holding one conversation after another until all are done."""
    pending = list(range(conversations))
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + LEVEL_TIME_LIMIT

    async def user(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while pending and time.monotonic() < deadline:
            sender = f"bench-{concurrency}-{pending.pop()}-{uuid.uuid4().hex[:8]}"
            for text in CONVERSATION:
                started = time.perf_counter()
                answered = await send(session, url, sender, text)
                latencies.append(time.perf_counter() - started)
                errors += not answered

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(user(session) for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return summarize(concurrency, latencies, errors, seconds)


def time_full_training(log: Path) -> float:
    """`rasa train --force` as a developer runs it, into a scratch folder."""
    with tempfile.TemporaryDirectory() as models, log.open("w") as output:
        started = time.perf_counter()
        subprocess.run(
            [str(RASA), "train", "--force", "--out", models],
            cwd=PROJECT_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=True,
        )
        return time.perf_counter() - started


async def nlu_parse_seconds() -> list[float]:
    """The model's floor: NLU alone, in process, for each held-out message."""
    # Rasa changed as the server changes it (extensions/rasa_server.py).
    install_changes()
    agent = Agent.load(str(MODEL_PATH))
    texts = [example.get("text") for example in load_data(str(HELDOUT_PATH)).intent_examples]
    await agent.parse_message(texts[0])
    seconds = []
    for text in texts:
        started = time.perf_counter()
        await agent.parse_message(text)
        seconds.append(time.perf_counter() - started)
    return seconds


def status_kb(status: str, field: str) -> int:
    """A memory field (VmRSS, VmHWM) of a /proc/<pid>/status text, in kB."""
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0])
    raise KeyError(field)


def parent_pid(stat: str) -> int:
    """The parent's pid from a /proc/<pid>/stat text; the command name may hold spaces."""
    return int(stat.rpartition(")")[2].split()[1])


def server_name(arguments: list[str]) -> str | None:
    """Which server a child of the run script is, by its command line; None for its helpers
    (the `sleep` of its readiness loop), whose memory is not the assistant's."""
    if "actions" in arguments:
        return "action_server"
    if "extensions.rasa_server" in arguments:
        return "rasa_server"
    return None


def server_memory(run_script_pid: int) -> dict[str, dict[str, int]]:
    """Resident and peak memory (kB) of the two servers, the run script's children."""
    memory = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if parent_pid((proc / "stat").read_text()) != run_script_pid:
                continue
            arguments = (proc / "cmdline").read_text().split("\0")
            status = (proc / "status").read_text()
        except OSError:
            continue
        name = server_name(arguments)
        if name:
            memory[name] = {field: status_kb(status, field) for field in ("VmRSS", "VmHWM")}
    return memory


async def long_conversation(url: str) -> list[float]:
    """The latency of each message of one conversation of LONG_CONVERSATION_MESSAGES, in order."""
    sender = f"bench-long-{uuid.uuid4().hex[:8]}"
    latencies: list[float] = []
    deadline = time.monotonic() + LONG_TIME_LIMIT
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while len(latencies) < LONG_CONVERSATION_MESSAGES and time.monotonic() < deadline:
            text = CONVERSATION[len(latencies) % len(CONVERSATION)]
            started = time.perf_counter()
            if not await send(session, url, sender, text):
                raise RuntimeError(f"message {len(latencies) + 1} of the long conversation failed")
            latencies.append(time.perf_counter() - started)
    return latencies


def window_p50s_ms(latencies: list[float]) -> dict[str, float]:
    """The p50 of each of LONG_WINDOWS that the conversation reached, by "first-last"."""
    return {
        f"{first}-{last}": percentile(latencies[first - 1 : last], 50) * 1000
        for first, last in LONG_WINDOWS
        if len(latencies) >= last
    }


async def drive(assistant: RunningAssistant) -> list[Level]:
    url = f"{assistant.url}/webhooks/rest/webhook"
    # Warm up: one whole conversation, so every code path has run once before timing.
    await run_level(url, 1, 1)
    return [
        await run_level(url, concurrency, conversations)
        for concurrency, conversations in CONVERSATIONS_PER_LEVEL.items()
    ]


def measure() -> dict:
    """Every measurement, one after the other so that none competes for the two cores."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    training_seconds = time_full_training(OUTPUT / "train.log")
    parse_seconds = asyncio.run(nlu_parse_seconds())
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        assistant = RunningAssistant(Path(workdir)).start()
        try:
            assistant.send("bench-start", "hi")
            startup_seconds = time.perf_counter() - started
            levels = asyncio.run(drive(assistant))
            long_p50s = window_p50s_ms(
                asyncio.run(long_conversation(f"{assistant.url}/webhooks/rest/webhook"))
            )
            memory = server_memory(assistant.pid)
            stage_seconds, profiled_messages = asyncio.run(
                profile_messages(
                    MODEL_PATH,
                    profile_endpoints(assistant.endpoints_path, Path(workdir)),
                    CONVERSATION,
                    PROFILE_ROUNDS,
                )
            )
        finally:
            assistant.stop()
            (OUTPUT / "assistant.log").write_bytes(assistant.log_path.read_bytes())
    return {
        "context": context(),
        "levels": [
            {**asdict(level), "messages_per_second": level.messages_per_second} for level in levels
        ],
        "nlu_parse_ms": {
            "p50": percentile(parse_seconds, 50) * 1000,
            "p95": percentile(parse_seconds, 95) * 1000,
        },
        "long_conversation_p50_ms": long_p50s,
        "startup_to_first_answer_s": startup_seconds,
        "memory_kb": memory,
        "model_bytes": MODEL_PATH.stat().st_size,
        "full_training_s": training_seconds,
        "stage_seconds": stage_seconds,
        "profiled_messages": profiled_messages,
    }


def table(results: dict) -> str:
    """One table: what was measured, the value, and the target where there is one."""
    levels = {level["concurrency"]: level for level in results["levels"]}
    memory = results["memory_kb"]
    rows = [
        [
            f"latency p50 / p95 / p99, {n} concurrent conversation{'s' * (n > 1)}",
            f"{level['p50_ms']:.0f} / {level['p95_ms']:.0f} / {level['p99_ms']:.0f} ms",
            "p50 ≤ 40, p95 ≤ 80 ms" if n == 1 else "",
        ]
        for n, level in levels.items()
    ]
    rows += [
        [
            "messages per second at " + " / ".join(str(n) for n in levels) + " conversations",
            " / ".join(f"{level['messages_per_second']:.1f}" for level in levels.values()),
            "≥ 40 at 8",
        ],
        [
            "errors",
            f"{sum(level['errors'] for level in levels.values())} of "
            f"{sum(level['messages'] for level in levels.values())} messages",
            "0",
        ],
        long_conversation_row(results["long_conversation_p50_ms"]),
        [
            "NLU parse in process (Agent.parse_message), p50 / p95",
            f"{results['nlu_parse_ms']['p50']:.1f} / {results['nlu_parse_ms']['p95']:.1f} ms",
            "",
        ],
        ["start-up to first answer", f"{results['startup_to_first_answer_s']:.1f} s", "≤ 30 s"],
        [
            "resident memory after the run and the long conversation: Rasa / action server",
            " / ".join(
                f"{memory[name]['VmRSS'] / 1024:.0f} MB"
                for name in ("rasa_server", "action_server")
            ),
            "≤ 1.2 GB Rasa server",
        ],
        ["model size on disk", f"{results['model_bytes'] / 1e6:.1f} MB", ""],
        ["full training (`rasa train --force`)", f"{results['full_training_s']:.0f} s", ""],
    ]
    return markdown_table(["measure", "value", "target"], rows)


def long_conversation_row(p50s_ms: dict[str, float]) -> list[str]:
    """Messages 281-300 and 981-1000 of one conversation, as ratios to messages 7-36."""
    (first, base), *later = p50s_ms.items()
    ratios = " / ".join(f"{p50 / base:.2f}" for _, p50 in later)
    windows = " / ".join(window for window, _ in later)
    return [
        f"one {LONG_CONVERSATION_MESSAGES}-message conversation: p50 of messages {windows} "
        f"over messages {first} ({base:.0f} ms)",
        ratios,
        "≤ 1.5 each",
    ]


def main() -> None:
    configure_structlog(logging.WARNING)
    results = measure()
    (OUTPUT / "bench.json").write_text(json.dumps(results, indent=2))
    print(f"\n{describe(results['context'])}\n\n{table(results)}")
    print(
        f"\nWhere the time of one message goes, in process ({results['profiled_messages']} "
        f"messages):\n\n{profile_table(results['stage_seconds'], results['profiled_messages'])}"
    )
    if any(level["errors"] for level in results["levels"]):
        sys.exit("Some messages got no answer: see reports/bench/assistant.log")


if __name__ == "__main__":
    main()
