"""Redacts e-mail addresses and phone numbers from the action server's logs.

rasa-sdk imports every module of the actions package, so this needs no import elsewhere.
"""

from core.redaction import install

install()
