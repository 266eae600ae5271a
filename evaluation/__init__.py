"""Measured quality (`make evaluate`) and speed (`make bench`) of the assistant."""
