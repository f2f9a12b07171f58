"""Background job of reminders (Celery; chairside/celery.py); beat runs it hourly."""

from __future__ import annotations

from celery import shared_task

from chairside.reminders.services import reminders_send_due


@shared_task(name="chairside.reminders.tasks.send_reminders")
def send_reminders() -> str:
    """Send the appointment reminders due now. Idempotent: each reminder is recorded once."""
    return reminders_send_due().line()
