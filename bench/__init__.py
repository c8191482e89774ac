"""Benchmarks of the lakehouse jobs: speed, how cost grows, and what a user would write instead."""
