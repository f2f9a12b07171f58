"""The prep gate: no dose is mixed for a patient who has not checked in and passed the checks.

Same-day cancellations after the drug is mixed are the costliest waste a center has, and a
dose mixed before the patient is cleared (identity, consent, allergies, weight, vitals,
labs) cannot be billed when it is not given (issue 16). So preparing a booked dose (the
visit's dispense, attach and save; the pharmacy's dispense for the booking) is refused
until the appointment is checked in and the check-in checks pass, unless a pharmacist or
nurse records why it must start early (``early_preparation_record``, audited).

The premedications are not part of the gate: they are given while the dose is mixed.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.rules.clinical.visit_checks import missing_steps
from chairside.rules.scheduling import appointment_states as states
from chairside.scheduling.models import Appointment
from chairside.tenancy.models import Organization, StaffMember
from chairside.treatments.models import EarlyPreparation, Visit
from chairside.treatments.selectors import visit_state
from chairside.treatments.services._common import staff_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Who may let a preparation start early: the pharmacist who mixes, or a nurse (center policy).
EARLY_PREP_CREDENTIALS = frozenset(
    {
        StaffMember.Credential.PHARMD,
        StaffMember.Credential.RN,
        StaffMember.Credential.LPN,
        StaffMember.Credential.NP,
    }
)
CHECKED_IN = frozenset({states.CHECKED_IN, states.IN_CHAIR, states.COMPLETED})
OPEN = frozenset({states.BOOKED, states.CONFIRMED, states.CHECKED_IN, states.IN_CHAIR})


def early_preparation_of(appointment: Appointment) -> EarlyPreparation | None:
    return (
        EarlyPreparation.objects.filter(appointment_id=appointment.pk)
        .select_related("recorded_by")
        .first()
    )


def checks_missing(visit: Visit) -> list[str]:
    """The check-in checks still open on the visit (premedications aside)."""

    state = dataclasses.replace(visit_state(visit), premeds_documented=True, dose_held=False)
    return [message for step, message in missing_steps(state) if step == "checks"]


def prep_gate_problem(appointment: Appointment, visit: Visit | None = None) -> str:
    """Why the dose of ``appointment`` may not be prepared yet; "" when it may."""
    if early_preparation_of(appointment) is not None:
        return ""
    if appointment.status in CHECKED_IN and visit is None:
        return (
            "The patient is checked in but the visit's check-in checks are not started: "
            "open the visit and complete them before the dose is prepared."
        )
    if appointment.status not in CHECKED_IN or visit is None:
        return (
            f"The patient has not checked in (the appointment is "
            f"{appointment.get_status_display().lower()}): the dose is prepared after "
            "check-in and the check-in checks, unless a pharmacist or nurse records why it "
            "must start early."
        )
    missing = checks_missing(visit)
    if missing:
        return "Finish the check-in checks before preparing the dose: " + " ".join(missing)
    return ""


def require_prep_allowed(appointment: Appointment, visit: Visit | None = None) -> None:
    problem = prep_gate_problem(appointment, visit)
    if problem:
        raise ValidationError(problem)


def appointment_for_ref(
    organization: Organization, visit_ref: str
) -> tuple[Appointment, Visit | None]:
    """The booking (and its visit) a dispense's ``visit_ref`` names, or DoesNotExist."""
    try:
        ref = uuid.UUID(str(visit_ref))
    except ValueError:
        raise Appointment.DoesNotExist from None
    visit = Visit.objects.filter(organization=organization, public_id=ref).first()
    if visit is not None:
        return Appointment.objects.get(pk=visit.appointment_id), visit
    appointment = Appointment.objects.get(organization=organization, public_id=ref)
    return appointment, Visit.objects.filter(appointment=appointment).first()


def require_prep_allowed_for_ref(*, organization: Organization, visit_ref: str | None) -> None:
    """The gate for a dispense from the inventory pages: when its reference names a booking
    or a visit of the organization, that dose must be cleared to prepare."""
    if not visit_ref:
        return
    try:
        appointment, visit = appointment_for_ref(organization, visit_ref)
    except Appointment.DoesNotExist:
        return  # a dispense not tied to a booking (a history import, a clinic dose)
    require_prep_allowed(appointment, visit)


@transaction.atomic
def early_preparation_record(
    *, appointment: Appointment, user: User, reason: str, note: str = ""
) -> EarlyPreparation:
    """A pharmacist or nurse lets the dose be prepared before check-in, with the reason."""
    current = Appointment.objects.select_for_update(of=("self",)).get(pk=appointment.pk)
    staff = staff_for(user, current.organization)
    if staff is None or staff.credential not in EARLY_PREP_CREDENTIALS:
        raise ValidationError(
            "An early preparation is recorded by a pharmacist or a nurse: your staff record "
            "does not carry one of those credentials."
        )
    if current.status not in OPEN:
        raise ValidationError(
            f"This appointment is {current.get_status_display().lower()}: nothing to prepare."
        )
    if reason not in EarlyPreparation.Reason.values:
        raise ValidationError({"reason": "Choose why the dose is prepared early."})
    text = note.strip()
    if reason == EarlyPreparation.Reason.OTHER and not text:
        raise ValidationError({"note": "Say why the dose is prepared early."})
    if len(text) > 255:
        raise ValidationError({"note": "Keep the note under 255 characters."})
    found = EarlyPreparation.objects.filter(appointment=current).first()
    before = [found.reason, found.note] if found else None
    row = found or EarlyPreparation(organization=current.organization, appointment=current)
    row.reason, row.note, row.recorded_by, row.recorded_at = reason, text, staff, timezone.now()
    row.full_clean()
    row.save()
    audit_record(
        action=AuditEvent.Action.UPDATE if found else AuditEvent.Action.CREATE,
        user=user,
        organization=current.organization,
        obj=row,
        patient=current.patient,
        changes={"early_preparation": [before, [reason, text]]},
        reason=text or row.get_reason_display(),
    )
    return row
