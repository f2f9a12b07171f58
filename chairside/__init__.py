"""Chairside: run an outpatient infusion center end to end."""

# The Celery app is loaded with Django, so that @shared_task jobs bind to it.
from chairside.celery import app as celery_app

__all__ = ["celery_app"]
