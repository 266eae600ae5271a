"""How well the assistant understands: `make evaluate` (NLU beside baselines, the development
set end to end) and the self-harm classifier's thresholds.
"""
