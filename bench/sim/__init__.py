"""Simulations and data generators used only by the benchmarks (and their tests).

Moved from ``chairside/rules/`` in issue 14: no product code imports them.
"""
