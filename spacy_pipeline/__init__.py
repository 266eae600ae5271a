"""Builds the project's own spaCy pipeline, so nothing is fetched from a model hub."""
