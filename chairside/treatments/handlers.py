"""The visit module's handlers for the earlier steps' events (registered in
``TreatmentsConfig.ready()``): a cancelled or missed dose that was already prepared is recorded
with its cost, and no dose is dispensed for a booking before the prep gate clears it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chairside.inventory.events import register_dispense_gate
from chairside.rules.scheduling import appointment_states as states
from chairside.scheduling.events import on_appointment_status
from chairside.treatments.services.not_given import prepared_not_given_record
from chairside.treatments.services.prep_gate import require_prep_allowed_for_ref

if TYPE_CHECKING:
    from django.contrib.auth.models import User

register_dispense_gate(require_prep_allowed_for_ref)


@on_appointment_status
def record_not_given(appointment: Any, user: User, target: str, why: str) -> None:
    if target in (states.CANCELLED, states.NO_SHOW):
        prepared_not_given_record(appointment=appointment, reason=target, detail=why, user=user)
