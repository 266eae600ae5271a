"""What both servers and the tools share: paths, the facts, the emergency kinds, log redaction.

It imports nothing of ours, so actions/, extensions/ and ops/ can all import it.
"""
