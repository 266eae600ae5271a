"""Tables, the paths both reports read, and the context a measurement is worthless without."""

import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from core.paths import PROJECT_ROOT

HELDOUT_PATH = PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"
RASA = PROJECT_ROOT / ".venv" / "bin" / "rasa"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub Markdown table; numbers are expected already formatted as text."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def cpu_model(cpuinfo: str) -> str:
    """The processor name from the text of /proc/cpuinfo."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            return value.strip()
    return platform.machine()


def context() -> dict[str, Any]:
    """Date, machine and commit, written beside every table."""
    cpuinfo = Path("/proc/cpuinfo")
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_model(cpuinfo.read_text()) if cpuinfo.exists() else platform.machine(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "commit": commit,
    }


def describe(context: dict[str, Any]) -> str:
    """One line for a report heading."""
    return (
        f"{context['date'][:10]}, {context['cpu']}, {context['cores']} cores, "
        f"{context['memory_gb']} GB, Python {context['python']}, commit {context['commit']}"
    )
