"""The Rasa server as `rasa run` builds it (rasa.core.run), serving from a thread of the test
process so that the connectors' calls reach the platforms' stand-ins; and the action server,
started as scripts/run-assistant starts it.
"""

import asyncio
import os
import subprocess
import threading
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from rasa.core.channels.channel import InputChannel
from rasa.core.run import configure_app, create_http_input_channels, load_agent_on_start
from rasa.core.utils import AvailableEndpoints
from sanic import Sanic

from core import redaction
from core.paths import MODEL_PATH, PROJECT_ROOT
from evaluation.support.running_assistant import free_port, wait_until_answering


class ActionServer:
    """`rasa run actions` on a free port of this machine."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> "ActionServer":
        command = [".venv/bin/rasa", "run", "actions", "--actions", "actions"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            cwd=PROJECT_ROOT,
            env={**os.environ, "SANIC_HOST": "127.0.0.1"},
            stdout=self.log_path.open("a"),
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{self.port}/health"
        wait_until_answering(url, lambda: self.process.poll() is None, timeout)
        return self

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class InProcessRasa:
    """The Rasa server with the given credentials file, its own tracker store, and no HTTP API."""

    def __init__(self, workdir: Path, credentials: Path, action_port: int) -> None:
        self.port = free_port()
        self.credentials = credentials
        self.tracker_db = workdir / "conversations.sqlite"
        self.endpoints_path = workdir / "endpoints.yml"
        endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
        endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{action_port}/webhook"
        endpoints["tracker_store"]["db"] = str(self.tracker_db)
        endpoints["tracker_store"]["audit_log"] = str(workdir / "audit.log")
        self.endpoints_path.write_text(yaml.safe_dump(endpoints))
        # asyncio's own loop, not Sanic's uvloop: uvloop resolves host names in libuv, so the
        # platforms' names would not resolve to their stand-ins (tests/support/platforms.py).
        self.loop = asyncio.SelectorEventLoop()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.started = threading.Event()
        self.failure: BaseException | None = None
        self.app: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 300) -> "InProcessRasa":
        # As extensions/rasa_server.py does before Rasa starts.
        redaction.install()
        self.thread.start()
        if not self.started.wait(timeout):
            raise TimeoutError(f"the Rasa server did not start in {timeout} s")
        if self.failure:
            raise RuntimeError("the Rasa server failed to start") from self.failure
        return self

    def serve(self) -> None:
        """Starts as Sanic's own serve() does (create_server already listens), then runs the
        loop until stop()."""
        asyncio.set_event_loop(self.loop)
        # Sanic's test mode lets a second server's app reuse Rasa's app name in this process.
        Sanic.test_mode = True
        run = self.loop.run_until_complete
        try:
            endpoints = AvailableEndpoints.read_endpoints(str(self.endpoints_path))
            channels = create_http_input_channels(None, str(self.credentials))
            self.app = configure_app(channels, enable_api=False, endpoints=endpoints)
            self.app.register_listener(
                partial(load_agent_on_start, str(MODEL_PATH), endpoints, None),
                "before_server_start",
            )
            server = run(
                self.app.create_server(
                    host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
                )
            )
            run(server.startup())
            run(server.before_start())
            run(server.after_start())
        except BaseException as error:
            self.failure = error
            self.started.set()
            return
        self.started.set()
        self.loop.run_forever()
        run(server.before_stop())
        server.close()
        run(server.wait_closed())
        run(server.after_stop())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=60)

    def input_channel(self, name: str) -> InputChannel:
        return next(channel for channel in self.app.ctx.input_channels if channel.name() == name)

    def run(self, coroutine: Any, timeout: float = 60) -> Any:
        """Runs a coroutine on the server's loop, e.g. to wait for its background tasks."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)
