"""`make report-bench`: time and peak memory of `make report` on 100,000 and 200,000 stored events.

Real conversations are held with both servers through the REST channel (tests/), then their
stored events are copied under new conversation ids, spread over the 30 days, until the SQLite
store holds enough. Each report runs in a fresh process that gives its own time and peak memory,
so the two sizes show whether memory grows with the store; the peak after the imports alone
(Rasa's) shows what the report itself adds.
"""

import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core.facts import load_content
from evaluation.support.operator_conversations import seed
from evaluation.support.running_assistant import RunningAssistant

SIZES = (100_000, 200_000)
REAL_CONVERSATIONS = 20
SECONDS_PER_DAY = 24 * 60 * 60
COLUMNS = "sender_id, type_name, timestamp, intent_name, action_name, data"
COPIED = "type_name, timestamp - ?, intent_name, action_name, data"
MEASURE = """
import json, resource, sys, time
started = time.perf_counter()
from ops import report
imported = time.perf_counter()
imports_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
report.main(["--endpoints", sys.argv[1], "--out", sys.argv[2]])
done = time.perf_counter()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
times = {"import_s": imported - started, "report_s": done - imported}
print(json.dumps({**times, "imports_mb": imports_mb, "peak_mb": peak_mb}))
"""


def grow(db: Path, events: int) -> int:
    """Copy the store's real events under new ids, a day earlier each round (30 days at most),
    until it holds `events`; the number it holds."""
    with sqlite3.connect(db) as connection:
        real = connection.execute("SELECT max(id) FROM events").fetchone()[0]
        copy = 0
        while connection.execute("SELECT count(*) FROM events").fetchone()[0] < events:
            copy += 1
            connection.execute(
                f"INSERT INTO events ({COLUMNS}) SELECT sender_id || ?, {COPIED} FROM events"
                " WHERE id <= ? ORDER BY id",
                (f"-copy{copy}", (copy % 30) * SECONDS_PER_DAY, real),
            )
        return connection.execute("SELECT count(*) FROM events").fetchone()[0]


def measure(endpoints: Path, out: Path) -> dict[str, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(endpoints), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return {**figures, "process_s": time.perf_counter() - started}


def main() -> None:
    content = load_content()
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningAssistant(Path(workdir)).start()
        try:
            for number in range(REAL_CONVERSATIONS // 3 + 1):
                seed(running.send, content, prefix=f"bench{number}")
        finally:
            running.stop()
        db = Path(workdir) / "conversations.sqlite"
        for size in SIZES:
            stored = grow(db, size)
            result = measure(running.endpoints_path, Path(workdir) / "report")
            print(
                f"{stored:>8,} events: report {result['report_s']:.1f} s "
                f"(the whole process {result['process_s']:.1f} s, imports "
                f"{result['import_s']:.1f} s), peak memory {result['peak_mb']:.0f} MB "
                f"(after the imports {result['imports_mb']:.0f} MB)"
            )


if __name__ == "__main__":
    main()
