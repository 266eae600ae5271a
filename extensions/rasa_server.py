"""Rasa's own command line, with the action-server fallback and log redaction installed first.

scripts/run-assistant starts the Rasa server with `python -m extensions.rasa_server run ...`.
"""

from rasa.__main__ import main

from extensions import action_fallback, log_privacy

if __name__ == "__main__":
    log_privacy.install()
    action_fallback.install()
    main()
