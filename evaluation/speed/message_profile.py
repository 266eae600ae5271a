"""Where the time of one message goes: NLU, policies, the action call, the tracker store.

An agent in this process, with the server's endpoints (SQLite tracker store, the running action
server, the facts-filled responses), handles the benchmark's conversations while Rasa's own
method for each stage is timed as it runs.
"""

import inspect
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import yaml
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import load_agent
from rasa.core.channels import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.core.utils import AvailableEndpoints

from evaluation.support.reporting import markdown_table
from extensions.rasa_server import install_changes

WHOLE_MESSAGE = "whole message (MessageProcessor.handle_message)"
REST = "rest: domain responses, events, lock, session checks"
# The stages do not overlap; what none of them covers is reported as the rest.
STAGES: dict[str, tuple[type, str]] = {
    "NLU (parse_message)": (MessageProcessor, "parse_message"),
    "policies (next action prediction)": (MessageProcessor, "_predict_next_with_tracker"),
    "action server call (RemoteAction.run)": (RemoteAction, "run"),
    # Rasa wraps whichever store endpoints.yml names in this one, so both stages time that store.
    "tracker store read": (FailSafeTrackerStore, "retrieve"),
    "tracker store write": (FailSafeTrackerStore, "save"),
    WHOLE_MESSAGE: (MessageProcessor, "handle_message"),
}


def timed(function: Callable, record: Callable[[float], None]) -> Callable:
    """`function`, sync or async, reporting the wall time of every call to `record`."""
    if inspect.iscoroutinefunction(function):

        @wraps(function)
        async def timed_coroutine(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                record(time.perf_counter() - started)

        return timed_coroutine

    @wraps(function)
    def timed_function(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            record(time.perf_counter() - started)

    return timed_function


@contextmanager
def timed_stages(stages: dict[str, tuple[type, str]]) -> Iterator[dict[str, float]]:
    """Seconds spent in each stage's method while the block runs; the methods are restored."""
    seconds = dict.fromkeys(stages, 0.0)
    originals = [(owner, name, owner.__dict__[name]) for owner, name in stages.values()]

    def recorder(stage: str) -> Callable[[float], None]:
        def record(elapsed: float) -> None:
            seconds[stage] += elapsed

        return record

    try:
        for stage, (owner, name) in stages.items():
            setattr(owner, name, timed(getattr(owner, name), recorder(stage)))
        yield seconds
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def breakdown(seconds: dict[str, float], messages: int) -> list[list[str]]:
    """Milliseconds per message and share of the whole for each stage, plus the rest."""
    whole = seconds[WHOLE_MESSAGE]
    parts = {stage: spent for stage, spent in seconds.items() if stage != WHOLE_MESSAGE}
    rest = whole - sum(parts.values())
    rows = [*parts.items(), (REST, rest), (WHOLE_MESSAGE, whole)]
    return [
        [stage, f"{spent / messages * 1000:.1f} ms", f"{spent / whole:.0%}"]
        for stage, spent in rows
    ]


def profile_endpoints(server_endpoints: Path, workdir: Path) -> AvailableEndpoints:
    """The server's endpoints, with a tracker store of its own so the two never share a file."""
    endpoints = yaml.safe_load(server_endpoints.read_text())
    endpoints["tracker_store"]["db"] = str(workdir / "profile.sqlite")
    path = workdir / "profile-endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return AvailableEndpoints.read_endpoints(str(path))


async def profile_messages(
    model: Path, endpoints: AvailableEndpoints, conversation: Sequence[str], rounds: int
) -> tuple[dict[str, float], int]:
    """Seconds per stage over `rounds` conversations after one untimed warm-up; and messages."""
    # Rasa changed as the server changes it (extensions/rasa_server.py).
    install_changes()
    agent = await load_agent(model_path=str(model), endpoints=endpoints)

    async def converse() -> None:
        sender = f"profile-{uuid.uuid4().hex[:12]}"
        for text in conversation:
            await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))

    await converse()
    with timed_stages(STAGES) as seconds:
        for _ in range(rounds):
            await converse()
    return seconds, rounds * len(conversation)


def profile_table(seconds: dict[str, float], messages: int) -> str:
    return markdown_table(["stage", "per message", "share"], breakdown(seconds, messages))
