"""Rasa's channels, adapted: signed webhooks only, channel limits, numbered options, the widget.

credentials.yml names them; ops/runtime_config.py turns the messaging ones on from environment
variables.
"""
