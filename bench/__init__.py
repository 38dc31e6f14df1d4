"""Benchmarks: each prints its figures and writes .run/bench/<name>.json."""
