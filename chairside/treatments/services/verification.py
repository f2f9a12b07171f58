"""The pharmacist verifies a booked dose (order, dose at the weight on file, vials, lots)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.scheduling.models import Appointment
from chairside.treatments.models import DoseVerification
from chairside.treatments.pharmacy import DISPENSED, QUEUE_STATES, access_queue_row
from chairside.treatments.services._common import staff_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Who may verify a dose: a pharmacist, or in a center without one, a prescriber. A center
# policy Chairside enforces, not a regulation it cites; a technician or nurse may not.
VERIFIERS = frozenset({"PharmD", "MD", "DO", "NP", "PA"})


def _vials(picks: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "lot": str(lot.public_id),
            "lot_number": lot.lot_number,
            "ndc": lot.package.ndc,
            "strength_mg": f"{lot.package.strength_mg.normalize():f}",
            "expires_on": lot.expires_on.isoformat(),
            "vials": vials,
        }
        for lot, vials in picks
    ]


@transaction.atomic
def dose_verify(*, appointment: Appointment, user: User, dose_mg: Decimal) -> DoseVerification:
    """Record that ``user`` checked this booked dose of ``dose_mg`` and the vials proposed.

    ``dose_mg`` is the dose the verifier saw: when the dose has changed since (a new weight,
    a changed order) it is refused, so what is recorded is what was checked. Refused when
    the dose cannot be worked out, when stock cannot cover it, when it is already
    dispensed, and for anyone but a pharmacist or prescriber.
    """
    current = Appointment.objects.select_for_update(of=("self",)).get(pk=appointment.pk)
    verifier = staff_for(user, current.organization)
    if verifier is None or verifier.credential not in VERIFIERS:
        raise ValidationError(
            "A dose is verified by a pharmacist (or a physician, NP or PA): "
            "your staff record does not carry one of those credentials."
        )
    if current.status not in QUEUE_STATES:
        raise ValidationError(
            f"This appointment is {current.get_status_display().lower()}: nothing to verify."
        )
    row = access_queue_row(organization=current.organization, public_id=current.public_id)
    if row.status == DISPENSED:
        raise ValidationError("This dose is already dispensed: nothing is left to verify.")
    if row.plan.dose_mg is None:
        raise ValidationError(row.plan.problem)
    if row.plan.dose_mg != dose_mg:
        raise ValidationError(
            f"The dose is now {row.plan.dose_mg.normalize():f} mg ({row.plan.basis}), not the "
            f"{dose_mg.normalize():f} mg shown: check it again."
        )
    if not row.picks:
        raise ValidationError(f"{row.stock_problem} Receive or transfer vials first, then verify.")
    made = DoseVerification(
        organization=current.organization,
        appointment=current,
        verified_by=user,
        verifier=verifier,
        dose_mg=row.plan.dose_mg,
        weight_kg=row.weight_kg,
        basis=row.plan.basis[:255],
        vials=_vials(row.picks),
    )
    made.full_clean()
    made.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=current.organization,
        obj=made,
        patient=current.patient,
        changes={
            "dose_mg": [None, f"{made.dose_mg.normalize():f}"],
            "vials": [None, [f"{v['vials']} x {v['lot_number']}" for v in made.vials]],
        },
    )
    return made
