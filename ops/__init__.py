"""Command-line tools for the people who run the assistant: reports and the review loop."""
