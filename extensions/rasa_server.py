"""The Rasa server's entry point: Rasa's own command line, with our changes to Rasa installed.

scripts/run-assistant starts the Rasa server with `python -m extensions.rasa_server run ...`.
"""

import logging

from rasa.__main__ import main

from core import redaction
from extensions.dialogue import graph_runner, remote_action
from extensions.nlu import diet_prediction, sparse_features


def install_changes() -> None:
    """Our changes to how Rasa runs; `make bench` makes them too, to measure what the server runs.

    Rasa has no setting for any of them, so each replaces one of Rasa's classes or methods, once.
    """
    # Every custom action is our ResilientRemoteAction (extensions/dialogue/remote_action.py).
    remote_action.install()
    # Each message's model graph runs node by node, not through dask's scheduler
    # (extensions/dialogue/graph_runner.py).
    graph_runner.install()
    # DIET calls its traced TensorFlow graph directly (extensions/nlu/diet_prediction.py).
    diet_prediction.install()
    # A message's sparse features are joined in one step (extensions/nlu/sparse_features.py).
    sparse_features.install()


if __name__ == "__main__":
    # Every log record is redacted before any handler sees it (core/redaction.py).
    redaction.install()
    install_changes()
    # Rasa sets the level of its own loggers only; ours tell operators what happened (an
    # emergency reply, a platform error) at INFO.
    logging.getLogger("extensions").setLevel(logging.INFO)
    main()
