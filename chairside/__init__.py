"""Chairside: run an outpatient infusion center end to end."""
