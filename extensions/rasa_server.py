"""Rasa's own command line, with the action-server fallback installed first.

scripts/run-assistant starts the Rasa server with `python -m extensions.rasa_server run ...`.
"""

from rasa.__main__ import main

from extensions.action_fallback import install

if __name__ == "__main__":
    install()
    main()
