"""The pure domain rules of an infusion center.

Nothing in this package imports Django (a test enforces it). Money and doses are
``decimal.Decimal``; bad input raises ``ValueError`` with a message that says what is wrong.
"""
