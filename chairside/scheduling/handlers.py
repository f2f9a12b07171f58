"""Scheduling's handlers for the access step's events (registered in
``SchedulingConfig.ready()``): which orders are booked, for the access queue, and the booking
an approval takes over from an override."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chairside.access.authorizations.events import (
    on_booked_orders,
    on_booking_rows,
    on_usage_attached,
)
from chairside.core.fingerprint import Rows
from chairside.scheduling.models import Appointment
from chairside.scheduling.selectors import order_ids_with_appointments


@on_booked_orders
def booked_orders(
    organization: Any, order_ids: list[int], start: dt.date, end: dt.date
) -> set[int]:
    return order_ids_with_appointments(
        organization=organization, order_ids=order_ids, start=start, end=end
    )


on_booking_rows(Rows(Appointment))  # what ``booked_orders`` reads


@on_usage_attached
def booking_under_approval(authorization: Any, usage: Any) -> Appointment | None:
    """The overridden booking that took the usage now shows the approval, not the override."""
    if usage.source_type != "scheduling.appointment":
        return None
    appointment = Appointment.objects.filter(
        organization_id=authorization.organization_id, public_id=usage.source_id
    ).first()
    if appointment is not None:
        appointment.authorization = authorization
        appointment.authorization_override = None
        appointment.save(update_fields=["authorization", "authorization_override", "updated_at"])
    return appointment
