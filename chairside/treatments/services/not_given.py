"""Doses prepared and then not given: recorded with their cost and reason (issue 16).

Scheduling calls :func:`prepared_not_given_record` when an appointment is cancelled or
missed; the visit calls it when the dose is held at the chair. Nothing is recorded when no
vial was dispensed for the dose (nothing was prepared), and a dose is recorded once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.inventory.models import Movement
from chairside.treatments.models import PreparedNotGiven, Visit

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _dispensed(appointment: Any, visit: Visit | None) -> list[Movement]:
    refs = [str(appointment.public_id)] + ([str(visit.public_id)] if visit else [])
    return list(
        Movement.objects.filter(
            organization_id=appointment.organization_id,
            kind=Movement.Kind.DISPENSE,
            visit_ref__in=refs,
        ).select_related("lot__package")
    )


@transaction.atomic
def prepared_not_given_record(
    *, appointment: Any, reason: str, detail: str = "", user: User | None = None
) -> PreparedNotGiven | None:
    """Record the dose of ``appointment`` as prepared and not given, with the acquisition
    cost of the vials dispensed for it; None when nothing was dispensed."""
    found = PreparedNotGiven.objects.filter(appointment_id=appointment.pk).first()
    if found is not None:
        return found
    visit = Visit.objects.filter(appointment_id=appointment.pk).first()
    if visit is not None and visit.administrations.filter(is_primary=True).exists():
        return None  # the infusion was started: the dose was (partly) given
    moves = _dispensed(appointment, visit)
    if not moves:
        return None
    cost = sum((-m.vials * m.lot.cost_per_vial for m in moves), Decimal(0))
    row = PreparedNotGiven(
        organization_id=appointment.organization_id,
        appointment=appointment,
        visit=visit,
        reason=reason,
        detail=detail.strip()[:255],
        vials=[
            {
                "lot": m.lot.lot_number,
                "ndc": m.lot.package.ndc,
                "strength_mg": f"{m.lot.package.strength_mg.normalize():f}",
                "vials": -m.vials,
                "cost_per_vial": f"{m.lot.cost_per_vial:.2f}",
            }
            for m in moves
        ],
        cost=cost.quantize(Decimal("0.01")),
        on_date=appointment.start.astimezone(appointment.location.tz).date(),
    )
    row.full_clean(exclude=["appointment", "visit", "organization"])
    row.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=appointment.organization,
        obj=row,
        patient=appointment.patient,
        changes={"prepared_not_given": [None, [reason, f"{row.cost:.2f}"]]},
        reason=row.detail or row.get_reason_display(),
    )
    return row
