"""The Rasa server's entry point: Rasa's own command line, with our changes to Rasa installed.

scripts/run-assistant starts the Rasa server with `python -m extensions.rasa_server run ...`.
"""

import logging

from rasa.__main__ import main

from core import redaction
from extensions.dialogue import graph_runner, remote_action

if __name__ == "__main__":
    # Every log record is redacted before any handler sees it (core/redaction.py).
    redaction.install()
    # Rasa builds every custom action as our ResilientRemoteAction (extensions/dialogue/
    # remote_action.py): Rasa has no setting for that class, so it is replaced here, once.
    remote_action.install()
    # Rasa runs each message's model graph node by node, not through dask's scheduler
    # (extensions/dialogue/graph_runner.py).
    graph_runner.install()
    # Rasa sets the level of its own loggers only; ours tell operators what happened (an
    # emergency reply, a platform error) at INFO.
    logging.getLogger("extensions").setLevel(logging.INFO)
    main()
