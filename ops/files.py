"""Writing a file in one step, for the operators' tools that rewrite files others read."""

import os
import tempfile
from pathlib import Path

# A new file's usual permissions: its owner writes, everyone reads.
SHARED = 0o644
# Credentials: its owner alone reads.
PRIVATE = 0o600


def write_atomically(path: Path, text: str, mode: int = SHARED) -> None:
    """Replaces the file in one step, so that a crash leaves the old one or the new one; the
    temporary file has a name of its own, so two writers never write into the same one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
