"""Benchmarks: scripts that print figures (``python -m bench.<name>``), never tests with timing asserts."""
