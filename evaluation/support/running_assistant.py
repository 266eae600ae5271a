"""Starts the real servers through scripts/run-assistant, on free ports, for end-to-end tests."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from core.paths import MODEL_PATH, PROJECT_ROOT

# Tests and the bench send faster than a person types; the tests of the limits set their own.
NO_RATE_LIMITS = {
    "RATE_LIMIT_SENDER_PER_MINUTE": "0",
    "RATE_LIMIT_ADDRESS_PER_MINUTE": "0",
    "RATE_LIMIT_NEW_SENDERS_PER_MINUTE": "0",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(url: str, alive: Callable[[], bool], timeout: float = 240) -> None:
    """Wait for `url` to answer, failing at once if its server stops first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"the server behind {url} stopped before answering")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def post_json(url: str, payload: Any, timeout: float = 30) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class RunningAssistant:
    """Both servers as `make run` starts them, with a private tracker store."""

    def __init__(
        self,
        workdir: Path,
        endpoints_overrides: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """`env` adds to or overrides the environment scripts/run-assistant runs in, where
        rate limits are off unless `env` sets them.
        """
        self.workdir = workdir
        self.env = env or {}
        self.action_port = free_port()
        self.rasa_port = free_port()
        self.endpoints_path = workdir / "endpoints.yml"
        self.log_path = workdir / "assistant.log"
        self.audit_log_path = workdir / "audit.log"
        self.process: subprocess.Popen | None = None
        endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
        endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{self.action_port}/webhook"
        endpoints["tracker_store"]["db"] = str(workdir / "conversations.sqlite")
        endpoints["tracker_store"]["audit_log"] = str(self.audit_log_path)
        endpoints.update(endpoints_overrides or {})
        self.endpoints_path.write_text(yaml.safe_dump(endpoints))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start(self, timeout: float = 240) -> "RunningAssistant":
        env = {
            **os.environ,
            **NO_RATE_LIMITS,
            **self.env,
            "ACTION_PORT": str(self.action_port),
            "RASA_PORT": str(self.rasa_port),
            "ENDPOINTS": str(self.endpoints_path),
            "CREDENTIALS": str(self.workdir / "credentials.yml"),
            "MODEL": str(MODEL_PATH),
        }
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [str(PROJECT_ROOT / "scripts" / "run-assistant")],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_answering(f"{self.url}/webhooks/rest/", self._running, timeout)
            health = f"http://127.0.0.1:{self.action_port}/health"
            wait_until_answering(health, self._running, timeout)
        except (RuntimeError, TimeoutError) as error:
            self.stop()
            raise RuntimeError(f"assistant not ready ({error}); see {self.log_path}") from error
        return self

    @property
    def pid(self) -> int:
        """The run script's process id; the two servers are its children."""
        if self.process is None:
            raise RuntimeError("the assistant has not been started")
        return self.process.pid

    def _running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 60) -> int:
        """Stop as a user's Ctrl-C does, SIGINT to the run script's whole process group, and
        return the run script's exit code.
        """
        if self.process is None:
            return 0
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        """One user message through the REST channel; the bot's replies."""
        return post_json(
            f"{self.url}/webhooks/rest/webhook", {"sender": sender, "message": message}
        )

    def new_conversation(self) -> str:
        """A new sender whose conversation is opened, so its disclaimer is already said."""
        sender = f"test-{uuid.uuid4().hex[:12]}"
        self.send(sender, "/session_start")
        return sender

    def stored_user_events(self, sender: str) -> list[dict[str, Any]]:
        """Every user message of a conversation in the tracker store, as stored, in order."""
        with sqlite3.connect(self.workdir / "conversations.sqlite") as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                (sender,),
            ).fetchall()
        return [json.loads(data) for (data,) in rows]

    def stored_events(self, sender: str) -> list[dict[str, Any]]:
        """Every event of a conversation in the tracker store, all sessions, in order."""
        with sqlite3.connect(self.workdir / "conversations.sqlite") as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
            ).fetchall()
        return [json.loads(data) for (data,) in rows]

    def stored_user_texts(self, sender: str) -> list[str]:
        """The texts of every user message of a conversation in the tracker store, in order."""
        return [event["text"] for event in self.stored_user_events(sender)]

    def texts(self, sender: str, message: str) -> list[str]:
        return [reply.get("text", "") for reply in self.send(sender, message)]
