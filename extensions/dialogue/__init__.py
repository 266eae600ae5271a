"""What endpoints.yml names (tracker store, lock store, NLG) and the custom-action client."""
