"""scripts/run-assistant (make run) starts the model it is given or says why not, and exits
non-zero whenever the assistant does not start.
"""

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.paths import MODEL_PATH, PROJECT_ROOT
from evaluation.support.running_assistant import free_port


def run_assistant(workdir: Path, timeout: float, **env: str) -> subprocess.CompletedProcess:
    """scripts/run-assistant on free ports to its end; its whole process group is killed if it
    outlives the timeout, so no server is left behind.
    """
    process = subprocess.Popen(
        [str(PROJECT_ROOT / "scripts" / "run-assistant")],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "ACTION_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "ENDPOINTS": str(PROJECT_ROOT / "endpoints.yml"),
            "CREDENTIALS": str(workdir / "credentials.yml"),
            "MODEL": str(MODEL_PATH),
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, output)


@pytest.mark.parametrize("model", ["/some/missing/file.tar.gz", "an empty directory"])
def test_a_model_that_names_no_model_stops_the_start_with_a_clear_error(
    tmp_path: Path, model: str
) -> None:
    model = model if model.startswith("/") else str(tmp_path)
    run = run_assistant(tmp_path, timeout=60, MODEL=model)
    assert run.returncode != 0
    assert f"error: MODEL={model} is not a model file" in run.stdout
    assert "ready" not in run.stdout


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port something else already listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_run_assistant_exits_non_zero_when_rasa_fails_to_start(
    tmp_path: Path, taken_port: int
) -> None:
    run = run_assistant(tmp_path, timeout=400, RASA_PORT=str(taken_port))
    assert run.returncode != 0
    assert "error: the assistant did not start" in run.stdout
    assert "The assistant is ready" not in run.stdout
