"""Code the Rasa server itself loads (the action server's code lives in actions/)."""
