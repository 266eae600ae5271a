"""Command-line tools for operators: reports, the review loop, runtime configuration and
retention. Neither server loads them."""
