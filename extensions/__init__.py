"""Code the Rasa server loads, one folder per wiring file that names it.

nlu/ and policies/: config.yml. channels/: credentials.yml. dialogue/: endpoints.yml.
rasa_server.py is the Rasa server's entry point (scripts/run-assistant starts it).
"""
