"""Shared building blocks: the state machine, NPIs and placeholder identifiers, API tokens,
accreditation due dates."""
