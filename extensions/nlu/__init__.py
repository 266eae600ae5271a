"""NLU components that config.yml's pipeline names."""
