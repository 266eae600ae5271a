"""What the measurements and the end-to-end tests share: the real servers on free ports, the
operator report's conversations, scores, tables and the machine a figure was measured on.
"""
