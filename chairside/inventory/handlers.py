"""Inventory's handlers for scheduling's appointment events (registered in
``InventoryConfig.ready()``): reserve a booking's vials, give them back when it ends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chairside.inventory.services.reservations import (
    in_window,
    reservation_release,
    reservation_reserve,
)
from chairside.rules.scheduling import appointment_states as states
from chairside.scheduling.events import on_appointment_placed, on_appointment_status

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Once an appointment is over (or will not happen) its reserved vials go back to the shelf.
RELEASE_ON = {
    states.CANCELLED: "Appointment cancelled",
    states.NO_SHOW: "Patient did not come",
    states.RESCHEDULED: "Appointment moved to another day",
    states.COMPLETED: "Treatment completed",
}


@on_appointment_placed
def reserve_for_appointment(appointment: Any, user: User, new: bool) -> None:
    """Reserve the dose's vials when the appointment is in the next few business days; out
    of the window a new booking waits for the nightly job, a moved one is released."""
    if new and not in_window(appointment):
        return
    reservation_reserve(appointment=appointment, user=user)


@on_appointment_status
def release_for_appointment(appointment: Any, user: User, target: str, why: str) -> None:
    if target in RELEASE_ON:
        reservation_release(appointment=appointment, reason=RELEASE_ON[target], user=user)
