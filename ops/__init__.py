"""Command-line tools for operators; neither server loads them."""
