"""Tests of the benchmark simulations (collected: ``bench`` is in pytest's testpaths)."""
