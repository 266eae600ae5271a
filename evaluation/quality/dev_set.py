"""The development set kept outside the project, and the check that none of it leaks in.

A development-set message copied, or nearly copied, into the training data or the tests would
make the end-to-end figures measure memory instead of understanding
(../shared/evaluation/README.md).
"""

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from evaluation.support.reporting import PROJECT_ROOT

DEV_SET_PATH = PROJECT_ROOT.parent / "shared" / "evaluation" / "dev_set.yml"
# The same measure as the team's before-stop hook: lowercased word sets, Jaccard >= 0.8,
# only between texts of three words or more.
NEAR_COPY_OVERLAP = 0.8
NEAR_COPY_MIN_WORDS = 3
YAML_DECORATION = re.compile(r"""^(?:-\s*)?(?:text:\s*)?["']?(.*?)["']?$""")


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def is_near_copy(line_words: set[str], dev_words: set[str]) -> bool:
    """Both have three words or more and share at least 80% of their words."""
    if min(len(line_words), len(dev_words)) < NEAR_COPY_MIN_WORDS:
        return False
    return len(line_words & dev_words) / len(line_words | dev_words) >= NEAR_COPY_OVERLAP


def yaml_text(line: str) -> str:
    """The message a YAML line holds, without list dash, `text:` key or quotes, normalised."""
    return " ".join(YAML_DECORATION.sub(r"\1", line.strip()).lower().split())


def load_dev_texts(path: Path = DEV_SET_PATH) -> list[str]:
    return [case["text"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]]


def leaked_lines(
    dev_texts: Iterable[str], lines: Iterable[tuple[str, str]]
) -> Iterator[tuple[str, str, str]]:
    """(where, line, dev message) for each line equal to, or a near copy of, a dev message."""
    dev = [(" ".join(text.lower().split()), words(text), text) for text in dev_texts]
    for where, line in lines:
        text, line_words = yaml_text(line), words(line)
        for dev_text, dev_words, original in dev:
            if text == dev_text or is_near_copy(line_words, dev_words):
                yield where, line.strip(), original
                break


def project_yaml_lines(root: Path = PROJECT_ROOT) -> Iterator[tuple[str, str]]:
    """("path:line number", line) for every line of data/**/*.yml and tests/**/*.yml."""
    for folder in ("data", "tests"):
        for path in sorted((root / folder).rglob("*.yml")):
            lines = path.read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines, start=1):
                yield f"{path.relative_to(root)}:{number}", line
