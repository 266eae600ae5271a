"""Shared fixtures: the real facts file."""

import logging

import pytest
from rasa.utils.log_utils import configure_structlog

from core.facts import Content, load_content

# Rasa's structured logger prints every parse at debug level unless configured.
configure_structlog(logging.WARNING)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()
