"""The "Was this helpful?" buttons' payload, which the action server writes and the channels
recognise: /feedback{"fact":"<fact id>","helpful":true}.
"""

import json

FEEDBACK_INTENT = "feedback"


def feedback_payload(fact_id: str, helpful: bool) -> str:
    """Compact: Telegram carries a button's payload in at most 64 bytes."""
    verdict = json.dumps({"fact": fact_id, "helpful": helpful}, separators=(",", ":"))
    return f"/{FEEDBACK_INTENT}{verdict}"


def is_feedback(payload: str) -> bool:
    return payload.startswith(f"/{FEEDBACK_INTENT}{{")
