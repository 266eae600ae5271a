"""Rasa's messaging connectors, adapted: signed webhooks only, channel limits, numbered options.

extensions/channel_credentials.py turns them on from environment variables.
"""
