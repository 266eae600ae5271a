"""The production profile on loopback: PostgreSQL, Redis, one action server, two Rasa replicas
and nginx in front of them, each on a free port, all stopped at the end. Debian's binaries.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from glob import glob
from pathlib import Path

import yaml

from evaluation.support.running_assistant import (
    MODEL_PATH,
    NO_RATE_LIMITS,
    PROJECT_ROOT,
    free_port,
    wait_until_answering,
)
from ops.runtime_config import production_endpoints

BIN = PROJECT_ROOT / ".venv" / "bin"
NGINX_CONF = """
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {root}/body;
  proxy_temp_path {root}/proxy;
  fastcgi_temp_path {root}/fastcgi;
  uwsgi_temp_path {root}/uwsgi;
  scgi_temp_path {root}/scgi;
  upstream rasa {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://rasa;
      # As docs/scaling.md says: the client's own address for the rate limits, and the host the
      # page asked for, for the widget's own origin.
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header Host $http_host;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout;
    }}
  }}
}}
"""


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    wait_until_answering(url, lambda: process.poll() is None)


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited early")
        if subprocess.run(["bash", "-c", f"</dev/tcp/127.0.0.1/{port}"]).returncode == 0:
            return
        time.sleep(0.3)
    raise TimeoutError(f"nothing listens on {port} after {timeout} s")


AS_POSTGRES = ["runuser", "-u", "postgres", "--"]


class ScaleStack:
    """Every server of the profile; `replicas` are the Rasa servers nginx balances between."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="spine-fusion-scale-"))
        self.ports = {
            name: free_port() for name in ("postgres", "redis", "actions", "nginx", "a", "b")
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.endpoints = self.root / "endpoints.yml"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['nginx']}"

    def replica_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def db_url(self) -> str:
        return f"postgresql://rasa@127.0.0.1:{self.ports['postgres']}/rasa"

    def start_process(self, name: str, command: list[str], **kwargs: object) -> subprocess.Popen:
        log = (self.root / f"{name}.log").open("a")
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
        self.processes[name] = process
        return process

    def start(self) -> "ScaleStack":
        try:
            self.start_postgres()
            self.start_redis()
            self.start_actions()
            self.write_endpoints()
            for name in ("a", "b"):
                self.start_replica(name, self.endpoints)
            for name in ("a", "b"):
                wait_until_up(f"{self.replica_url(name)}/webhooks/rest/", self.processes[name])
            self.start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def start_postgres(self) -> None:
        (bin_dir,) = glob("/usr/lib/postgresql/*/bin")
        self.root.chmod(0o711)  # PostgreSQL runs as its own user, and must reach its directory.
        data = self.root / "postgres"
        data.mkdir()
        shutil.chown(data, "postgres", "postgres")
        subprocess.run(
            [*AS_POSTGRES, f"{bin_dir}/initdb", "-D", data, "-U", "rasa", "--auth=trust"],
            check=True,
            capture_output=True,
        )
        self.run_postgres()
        port = str(self.ports["postgres"])
        subprocess.run(
            [
                *AS_POSTGRES,
                f"{bin_dir}/createdb",
                "-h",
                "127.0.0.1",
                "-p",
                port,
                "-U",
                "rasa",
                "rasa",
            ],
            check=True,
            capture_output=True,
        )

    def run_postgres(self) -> None:
        """Starts PostgreSQL on the stack's data directory, new or kept from a stop."""
        (bin_dir,) = glob("/usr/lib/postgresql/*/bin")
        data = self.root / "postgres"
        port = str(self.ports["postgres"])
        server = [f"{bin_dir}/postgres", "-D", data, "-h", "127.0.0.1", "-p", port, "-k", data]
        process = self.start_process("postgres", [*AS_POSTGRES, *server])
        wait_for_port(self.ports["postgres"], process)

    def stop_postgres(self) -> None:
        """Stops PostgreSQL as an outage would (fast shutdown: clients are cut off), keeping its
        data for run_postgres.
        """
        process = self.processes.pop("postgres")
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)

    def start_redis(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.ports["redis"])]
        process = self.start_process("redis", [*command, "--save", "", "--appendonly", "no"])
        wait_for_port(self.ports["redis"], process)

    def start_actions(self) -> None:
        process = self.start_process(
            "actions",
            [
                BIN / "rasa",
                "run",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(self.ports["actions"]),
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, "SANIC_HOST": "127.0.0.1"},
        )
        wait_until_up(f"http://127.0.0.1:{self.ports['actions']}/health", process)

    def write_endpoints(self) -> None:
        """Writes `self.endpoints`, which the replicas share, as scripts/run-assistant does."""
        base = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
        base["action_endpoint"]["url"] = f"http://127.0.0.1:{self.ports['actions']}/webhook"
        base["tracker_store"]["audit_log"] = str(self.root / "audit.log")
        env = {
            "DB_URL": self.db_url,
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.ports["redis"]),
        }
        self.endpoints.write_text(yaml.safe_dump(production_endpoints(base, env)))

    def start_replica(self, name: str, endpoints: Path) -> None:
        self.start_process(
            name,
            [
                BIN / "python",
                "-m",
                "extensions.rasa_server",
                "run",
                "--model",
                MODEL_PATH,
                "--endpoints",
                endpoints,
                "--credentials",
                PROJECT_ROOT / "credentials.yml",
                "--port",
                str(self.ports[name]),
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, **NO_RATE_LIMITS},
        )

    def start_nginx(self) -> None:
        servers = "\n".join(
            f"    server 127.0.0.1:{self.ports[name]} max_fails=1 fail_timeout=30s;"
            for name in ("a", "b")
        )
        conf = self.root / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(root=self.root, servers=servers, port=self.ports["nginx"])
        )
        process = self.start_process(
            "nginx", ["nginx", "-p", self.root, "-c", conf, "-g", "daemon off;"]
        )
        wait_until_up(f"{self.url}/webhooks/rest/", process)

    def kill(self, name: str) -> None:
        """Ends a server at once, as a crash would."""
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def revive(self, name: str) -> None:
        """Starts a killed replica again, as an orchestrator would, so later tests have both."""
        self.start_replica(name, self.endpoints)
        wait_until_up(f"{self.replica_url(name)}/webhooks/rest/", self.processes[name])

    def stop(self) -> None:
        for name, process in reversed(self.processes.items()):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.kill(name)
        self.processes.clear()
        shutil.rmtree(self.root, ignore_errors=True)
