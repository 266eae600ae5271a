"""The private members of Rasa and its libraries that our code replaces, overrides or reads,
checked before use.

Rasa is pinned (constraints.txt), but an upgrade may rename or remove any of them: a replaced
method would then be dead code, an overriding one never called, a read one an AttributeError
on the first message. docs/architecture.md lists who needs which.
"""

import importlib
from collections.abc import Iterable
from importlib.metadata import version

# The Rasa that tests/e2e/test_rasa_changes.py checked the run-time changes against.
TESTED_RASA_VERSION = "3.6.21"


class MissingPrivateMember(RuntimeError):
    """A member our code needs is not in the installed Rasa or library."""


def resolves(dotted_name: str) -> bool:
    """True if the name is a module, or attributes reached from the longest importable module."""
    parts = dotted_name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def missing(dotted_names: Iterable[str]) -> list[str]:
    """The names that do not resolve, in the order given."""
    return [name for name in dotted_names if not resolves(name)]


def require(dotted_names: Iterable[str], needed_by: str) -> None:
    """Fails at load time, naming what is missing, rather than on some later message."""
    absent = missing(dotted_names)
    if absent:
        raise MissingPrivateMember(
            f"{needed_by} needs {', '.join(absent)}, absent from the installed Rasa "
            f"{version('rasa')} or its libraries; install the versions of constraints.txt "
            f"(Rasa {TESTED_RASA_VERSION})."
        )
