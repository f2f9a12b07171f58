"""Chairside rows as FHIR R4 resources (plain dicts that ``fhir.resources.R4B`` parses).

One module per part of Chairside; each function takes a row (with what it needs already
loaded) and returns the resource. No queries are started here beyond the row's relations.
"""
