"""Rasa's own command line, with the action-server fallback and log redaction installed first.

scripts/run-assistant starts the Rasa server with `python -m extensions.rasa_server run ...`.
"""

import logging

from rasa.__main__ import main

from extensions import action_fallback, log_privacy

if __name__ == "__main__":
    log_privacy.install()
    action_fallback.install()
    # Rasa sets the level of its own loggers only; ours tell operators what happened (an
    # emergency reply, a platform error) at INFO.
    logging.getLogger("extensions").setLevel(logging.INFO)
    main()
