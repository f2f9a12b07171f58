"""Background jobs of the inventory: the nightly lot reservations (Celery; chairside/celery.py)."""

from __future__ import annotations

from celery import shared_task

from chairside.inventory.services.reservations import reserve_upcoming as run


@shared_task(name="chairside.inventory.tasks.reserve_upcoming")
def reserve_upcoming() -> str:
    """Reserve stock for every appointment entering the window; release what left it.

    Idempotent: an appointment already reserved keeps its vials; running twice reserves once.
    """

    reserved, released = run()
    return f"{reserved} appointments reserved, {released} released"
