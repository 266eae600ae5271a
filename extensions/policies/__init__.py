"""Dialogue policies that config.yml's policies name."""
