"""The Rasa server's entry point: Rasa's own command line, with our changes to Rasa installed.

scripts/run-assistant starts the Rasa server with `python -m extensions.rasa_server run ...`.
"""

import importlib
import logging
from collections.abc import Sequence
from importlib.metadata import version

from rasa.__main__ import main

from core import redaction
from extensions.private_members import TESTED_RASA_VERSION, missing

# Named, since run with -m this module is __main__, out of reach of the "extensions" level.
logger = logging.getLogger("extensions.rasa_server")

# Our changes to how Rasa runs, each a module whose `install()` replaces one of Rasa's classes or
# methods (Rasa has no setting for any of them), with the members of Rasa and its libraries it
# replaces or reads. A module is imported only once all of them are found.
CHANGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Every custom action is our ResilientRemoteAction.
    (
        "extensions.dialogue.remote_action",
        (
            "rasa.core.actions.action.RemoteAction.run",
            "rasa.core.actions.action.RemoteAction._validate_action_result",
        ),
    ),
    # Each message's model graph runs node by node, not through dask's scheduler.
    (
        "extensions.dialogue.graph_runner",
        (
            "rasa.core.processor.DaskGraphRunner",
            "rasa.engine.runner.dask.DaskGraphRunner._add_inputs_to_graph",
        ),
    ),
    # DIET calls its traced TensorFlow graph directly.
    (
        "extensions.nlu.diet_prediction",
        (
            "rasa.utils.tensorflow.models.RasaModel._rasa_predict",
            "rasa.utils.tensorflow.models.RasaModel._empty_lists_to_none_in_dict",
            "tensorflow.python.eager.polymorphic_function.monomorphic_function"
            ".ConcreteFunction._call_flat",
        ),
    ),
    # A message's sparse features are joined in one step.
    (
        "extensions.nlu.sparse_features",
        ("rasa.shared.nlu.training_data.features.Features._combine_sparse_features",),
    ),
)


def install_changes(
    rasa_version: str | None = None,
    changes: Sequence[tuple[str, tuple[str, ...]]] = CHANGES,
) -> bool:
    """Installs every change, or none with one warning if Rasa is not the one they were tested
    on or lacks a member one needs: unchanged Rasa gives the same answers, only slower.

    `make bench` installs them too, to measure what the server runs.
    """
    rasa_version = rasa_version or version("rasa")
    problems = [] if rasa_version == TESTED_RASA_VERSION else [f"Rasa is {rasa_version}"]
    absent = missing(name for _, needed in changes for name in needed)
    problems += [f"{', '.join(absent)} not found"] if absent else []
    if problems:
        logger.warning(
            "Rasa runs unchanged, without %s (extensions/rasa_server.py): they were tested on "
            "Rasa %s, and %s.",
            ", ".join(module_name for module_name, _ in changes),
            TESTED_RASA_VERSION,
            "; ".join(problems),
        )
        return False
    for module_name, _ in changes:
        importlib.import_module(module_name).install()
    return True


if __name__ == "__main__":
    # Every log record is redacted before any handler sees it (core/redaction.py).
    redaction.install()
    install_changes()
    # Rasa sets the level of its own loggers only; ours tell operators what happened (an
    # emergency reply, a platform error) at INFO.
    logging.getLogger("extensions").setLevel(logging.INFO)
    main()
