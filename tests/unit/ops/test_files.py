"""A file rewritten in one step: old or new, never half; its mode as asked; no leftovers."""

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ops.files import PRIVATE, SHARED, write_atomically


@pytest.mark.parametrize("mode", [SHARED, PRIVATE])
def test_the_file_is_replaced_with_the_mode_asked(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "deeper" / "review.yml"
    write_atomically(path, "old\n")
    write_atomically(path, "new\n", mode)
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert [child.name for child in path.parent.iterdir()] == ["review.yml"]


def test_writers_at_once_each_leave_a_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yml"
    texts = [f"{n}\n" * 20_000 for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda text: write_atomically(path, text), texts))
    assert path.read_text() in texts
    assert list(tmp_path.iterdir()) == [path]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "credentials.yml"
    write_atomically(path, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(path, "\ud800")
    assert path.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [path]
