"""Both servers, as `make run` starts them, shared by the end-to-end tests of a session."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluation.running_assistant import RunningAssistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    running = RunningAssistant(Path(tmp_path_factory.mktemp("assistant"))).start()
    yield running
    running.stop()
