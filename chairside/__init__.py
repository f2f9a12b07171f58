"""Chairside: run an outpatient infusion center end to end.

The Celery app (``chairside.celery``) is loaded by ``chairside.core``'s AppConfig when Django
starts, not here: importing ``chairside.rules`` must not load Django (CONVENTIONS.md rule 2).
"""
