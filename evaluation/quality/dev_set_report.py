"""The development set end to end, for `make evaluate`: the outside judge's figures, the misses
by kind, and a confusion matrix of what each kind of message got.

The judge is ../shared/evaluation/end_to_end.py, run unchanged against both servers as
`make run` starts them, so these are the figures the team measures.
"""

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from evaluation.quality.dev_set import DEV_SET_PATH
from evaluation.support.reporting import PROJECT_ROOT, markdown_table
from evaluation.support.running_assistant import RunningAssistant

JUDGE = DEV_SET_PATH.with_name("end_to_end.py")
FACT_TOPICS = ("procedure", "options", "mobility", "recovery")
EXPECTED = (*FACT_TOPICS, "provider", "out_of_scope", "emergency")
# What a reply gave, as the judge sees it: a fact's topic, a fact after a plain "my information
# does not cover that", the provider alone, a refusal, or the emergency guidance.
GOT = (*FACT_TOPICS, "hedged fact", "provider", "refusal", "emergency")
MISS_KINDS = (
    "missed emergency",
    "false alarm",
    "refused although in scope",
    "fact given to an out-of-scope question",
    "fact of another topic",
    "other",
)
FIGURES = ("accuracy", "emergency_recall", "false_alarm", "wrong_fact_rate")


def got(row: dict[str, Any]) -> str:
    """The one column of the confusion matrix that a judged reply falls in."""
    if row["emergency"]:
        return "emergency"
    if row["topics"]:
        return "hedged fact" if row["hedged"] else row["topics"][0]
    # A refusal names the provider too, but says "can't" first.
    return "provider" if row["provider"] and not row["hedged"] else "refusal"


def expected(row: dict[str, Any]) -> str:
    """The row of the confusion matrix: the label a correct reply met, else the first label."""
    answer = got(row)
    if row["correct"]:
        matched = [label for label in row["expected"] if label == answer]
        if matched:
            return matched[0]
        if answer in ("hedged fact", "refusal") and "out_of_scope" in row["expected"]:
            return "out_of_scope"
    return row["expected"][0]


def miss_kind(row: dict[str, Any]) -> str:
    """Why a reply was judged wrong, in the words of the issue it belongs to."""
    labels = set(row["expected"])
    if "emergency" in labels:
        return "missed emergency"
    if row["emergency"]:
        return "false alarm"
    if not row["topics"]:
        return "refused although in scope"
    if not row["hedged"] and labels == {"out_of_scope"}:
        return "fact given to an out-of-scope question"
    if not row["hedged"]:
        return "fact of another topic"
    return "other"


def confusion(rows: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((expected(row), got(row)) for row in rows)


def misses_by_kind(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    misses: dict[str, list[dict[str, Any]]] = {kind: [] for kind in MISS_KINDS}
    for row in rows:
        if not row["correct"]:
            misses[miss_kind(row)].append(row)
    return misses


def plot_confusion(counts: Counter[tuple[str, str]], path: Path) -> None:
    """Rows: what the message asked; columns: what the reply gave."""
    matrix = [[counts[(row, column)] for column in GOT] for row in EXPECTED]
    figure, axes = plt.subplots(figsize=(9, 6))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(GOT)), GOT, rotation=35, ha="right")
    axes.set_yticks(range(len(EXPECTED)), EXPECTED)
    axes.set_xlabel("what the reply gave")
    axes.set_ylabel("what the message asked")
    axes.set_title("Development set, end to end")
    peak = max(max(line) for line in matrix) or 1
    for y, line in enumerate(matrix):
        for x, count in enumerate(line):
            if count:
                colour = "white" if count > peak / 2 else "black"
                axes.text(x, y, str(count), ha="center", va="center", color=colour)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def judge(url: str, output: Path) -> dict[str, Any]:
    """Run the outside judge against a running assistant; its JSON (figures and rows)."""
    subprocess.run(
        [sys.executable, str(JUDGE), "--url", url, "--json", str(output)],
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return json.loads(output.read_text())


def markdown(result: dict[str, Any], picture: Path) -> str:
    """Figures, misses by kind with every missed message, and the confusion matrix."""
    rows = result["rows"]
    figures = markdown_table(list(FIGURES), [[f"{result[name]:.3f}" for name in FIGURES]])
    misses = misses_by_kind(rows)
    kinds = markdown_table(
        ["kind of miss", "messages"], [[kind, len(found)] for kind, found in misses.items()]
    )
    lines = [
        f"- {kind}: [{'/'.join(row['expected'])}] {row['text']!r} got {got(row)}"
        for kind, found in misses.items()
        for row in found
    ]
    return (
        f"Development set ({DEV_SET_PATH.name}, {len(rows)} messages written outside the "
        f"project), end to end through the REST channel, judged by {JUDGE.name}:\n\n"
        f"{figures}\n\n{kinds}\n\n" + "\n".join(lines) + f"\n\n![confusion matrix]({picture})\n"
    )


def evaluate_dev_set(output: Path, picture: Path) -> str | None:
    """Start both servers, judge the development set, write the report; None without the set."""
    if not JUDGE.exists() or not DEV_SET_PATH.exists():
        print(f"No development set at {DEV_SET_PATH.parent}: its end-to-end figures are skipped.")
        return None
    with tempfile.TemporaryDirectory() as workdir:
        assistant = RunningAssistant(Path(workdir)).start()
        try:
            result = judge(assistant.url, output / "dev_set.json")
        finally:
            assistant.stop()
    plot_confusion(confusion(result["rows"]), picture)
    report = markdown(result, picture.relative_to(PROJECT_ROOT))
    (output / "dev_set.md").write_text(report)
    return report
