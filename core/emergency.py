"""The kinds of emergency, and their names in the facts, the NLU parse and the domain.

The detector, the policy, the facts loader and the red-flag patterns must agree on them.
"""

# Each kind has its own entry in data/facts.yml, intent and response.
EMERGENCY_KINDS = ("red_flag", "self_harm")
INTENT_FOR_KIND = {"red_flag": "emergency", "self_harm": "self_harm"}
RESPONSE_FOR_KIND = {"red_flag": "utter_emergency", "self_harm": "utter_crisis_support"}
# The key under which the detector leaves its finding in the parse data for the policy.
RED_FLAG_KEY = "red_flag"
# Where SelfHarmClassifier leaves its probability and verdict for the detector.
SELF_HARM_KEY = "self_harm_classifier"
