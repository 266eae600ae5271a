"""Measured quality (`make evaluate`) and speed (`make bench`) of the assistant, and the helpers
both use to drive the real servers and write their reports.
"""
