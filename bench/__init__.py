"""Benchmarks of Chairside (run as scripts: ``python bench/schedule.py``)."""
