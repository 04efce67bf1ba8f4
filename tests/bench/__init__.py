"""Benchmarks: run by scripts (scripts/bench), never collected by pytest."""
