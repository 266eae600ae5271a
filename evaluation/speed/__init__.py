"""How fast and how costly the assistant is: `make bench` and `make report-bench`."""
