"""Starting a visit from a checked-in appointment, and saving its check-in checks.

Every field is saved on its own as the nurse goes (the page posts each change), so a
dropped connection loses at most the field being typed. Each save is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import diff, snapshot
from chairside.formulary.models import Drug
from chairside.patients.models import MAX_WEIGHT_KG, MIN_WEIGHT_KG
from chairside.patients.services import allergy_add, patient_update
from chairside.rules.clinical.allergy_check import code_substance
from chairside.rules.clinical.visit_checks import (
    check_identifiers,
    identity_confirmed,
    touch_decision,
)
from chairside.rules.scheduling import appointment_states as appointment
from chairside.scheduling.models import Appointment
from chairside.scheduling.services import appointment_check_in
from chairside.tenancy.models import StaffMember
from chairside.treatments.models import Visit
from chairside.treatments.services._common import (
    audit,
    locked_visit,
    on_visit_day,
    same_organization,
    staff_for,
)
from chairside.treatments.services.not_given import prepared_not_given_record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CHECK_FIELDS = (
    "identifiers",
    "allergies_reviewed",
    "allergies_note",
    "allergy_cleared_by",
    "weight_kg",
    "weight_confirmed_by",
    "labs_cleared_by",
    "program_answers",
    "program_cleared_by",
    "premeds_given",
    "premeds_at",
    "premeds_not_given_reason",
    "dose_held",
    "held_reason",
    "notes",
    "nurse",
    "no_known_allergies",
)
AUDITED = (
    "identifiers",
    "allergies_reviewed_at",
    "allergies_note",
    "weight_kg",
    "weight_confirmed_by",
    "labs_cleared_by",
    "program_answers",
    "program_cleared_by",
    "premeds_given",
    "premeds_at",
    "premeds_not_given_reason",
    "dose_held",
    "held_reason",
    "notes",
    "nurse",
    "discharged_at",
    "discharge_condition",
    "early_discharge_reason",
    "supervising_provider",
)
STARTABLE = frozenset({appointment.CHECKED_IN, appointment.IN_CHAIR})


@transaction.atomic
def visit_start(*, appointment: Appointment, user: User) -> Visit:
    """The visit of a checked-in appointment; made on the first call, the same one after.

    The appointment must be checked in (or already in the chair). The nurse defaults to the
    appointment's nurse, or to the user when she is on staff.
    """
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("location", "order__drug", "patient")
        .get(pk=appointment.pk)
    )
    existing = Visit.objects.filter(appointment=locked).first()
    if existing is not None:
        return existing
    if locked.status not in STARTABLE:
        raise ValidationError(
            f"Check the patient in first: the appointment is {locked.status_label.lower()}."
        )
    visit = Visit(
        organization=locked.organization,
        appointment=locked,
        patient=locked.patient,
        order=locked.order,
        location=locked.location,
        chair=locked.chair,
        nurse=locked.nurse or staff_for(user, locked.organization),
        date=locked.local_start().date(),
        dose_number=locked.dose_number,
    )
    visit.full_clean()
    visit.save()
    audit(
        AuditEvent.Action.CREATE,
        user=user,
        visit=visit,
        obj=visit,
        changes=diff({}, snapshot(visit, ("date", "order", "chair", "nurse", "dose_number"))),
    )
    return visit


@transaction.atomic
def visit_check_in_and_start(*, appointment: Appointment, user: User) -> Visit:
    """Check the patient in through the scheduling service, then start the visit."""

    if appointment.status not in STARTABLE:
        appointment_check_in(appointment=appointment, user=user)
        appointment.refresh_from_db()
    return visit_start(appointment=appointment, user=user)


# --- the check-in checks, one field at a time ------------------------------------------


def _text(limit: int) -> Callable[[Visit, str, Any], None]:
    def apply(visit: Visit, name: str, value: Any) -> None:
        text = str(value or "").strip()
        if len(text) > limit:
            raise ValidationError({name: f"Keep this under {limit} characters."})
        setattr(visit, name, text)

    return apply


def _identifiers(visit: Visit, name: str, value: Any) -> None:
    try:
        chosen = check_identifiers(value or [])
    except ValueError as exc:
        raise ValidationError({name: str(exc)}) from None
    visit.identifiers = chosen
    confirmed = identity_confirmed(chosen)
    if confirmed and visit.identity_confirmed_at is None:
        visit.identity_confirmed_at = timezone.now()
    elif not confirmed:
        visit.identity_confirmed_at = None


def _allergies(visit: Visit, name: str, value: Any) -> None:
    if bool(value) and visit.allergies_reviewed_at is None:
        visit.allergies_reviewed_at = timezone.now()
    elif not value:
        visit.allergies_reviewed_at = None


def _weight(visit: Visit, name: str, value: Any) -> None:
    if value in (None, ""):
        visit.weight_kg = None
        return
    try:
        weight = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: f"“{value}” is not a weight in kg."}) from None
    if not MIN_WEIGHT_KG <= weight <= MAX_WEIGHT_KG:
        raise ValidationError(
            {name: f"{weight} kg is not possible: enter the weight in kg (0.5 to 400)."}
        )
    visit.weight_kg = weight


def _confirmed_by(visit: Visit, name: str, value: Any) -> None:
    _text(120)(visit, name, value)
    visit.weight_confirmed_at = timezone.now() if visit.weight_confirmed_by else None


def _program(visit: Visit, name: str, value: Any) -> None:
    answers = {str(k): str(v) for k, v in dict(value or {}).items() if v}
    try:
        touch_decision(answers, prescriber_cleared=bool(visit.program_cleared_by))
    except ValueError as exc:
        raise ValidationError({name: str(exc)}) from None
    visit.program_answers = answers


def _premeds_at(visit: Visit, name: str, value: Any) -> None:
    if value is not None and not isinstance(value, dt.datetime):
        raise ValidationError({name: "Enter the time the premedications were given."})
    on_visit_day(visit, value, name, "premedication time")
    visit.premeds_at = value


def _dose_held(visit: Visit, name: str, value: Any) -> None:
    held = bool(value)
    if held and visit.administrations.filter(is_primary=True).exists():
        raise ValidationError(
            {name: "The dose was started: stop the infusion and record why instead."}
        )
    visit.dose_held = held


def _nurse(visit: Visit, name: str, value: Any) -> None:
    if value is not None and not isinstance(value, StaffMember):
        raise ValidationError({name: "Choose a nurse on staff."})
    same_organization(visit, nurse=value)
    visit.nurse = value


APPLY: dict[str, Callable[[Visit, str, Any], None]] = {
    "identifiers": _identifiers,
    "allergies_reviewed": _allergies,
    "allergies_note": _text(255),
    "weight_kg": _weight,
    "weight_confirmed_by": _confirmed_by,
    "labs_cleared_by": _text(120),
    "allergy_cleared_by": _text(120),
    "program_answers": _program,
    "program_cleared_by": _text(120),
    "premeds_given": _text(255),
    "premeds_at": _premeds_at,
    "premeds_not_given_reason": _text(255),
    "dose_held": _dose_held,
    "held_reason": _text(255),
    "notes": _text(4000),
    "nurse": _nurse,
}


def _record_nkda(visit: Visit, user: User) -> None:
    """The patient reports no known drug allergies: recorded on the chart (audited there)."""

    if visit.patient.allergies.exists():
        raise ValidationError(
            {"no_known_allergies": "Allergies are on the chart: review them instead."}
        )
    patient_update(patient=visit.patient, user=user, no_known_allergies=True)


@transaction.atomic
def visit_update(*, visit: Visit, user: User, **fields: Any) -> Visit:
    """Save some of the check-in checks (any subset of ``CHECK_FIELDS``), audited.

    Each value is checked (two identifiers of the known kinds, a possible weight, TOUCH
    answers yes/no, times on the visit day and not in the future); on a bad value nothing
    is saved and the ValidationError names the field.
    """
    unknown = set(fields) - set(CHECK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown visit fields: {sorted(unknown)}")
    current = locked_visit(visit)
    before = snapshot(current, AUDITED)
    was_held = current.dose_held
    if fields.pop("no_known_allergies", False):
        _record_nkda(current, user)
        fields.setdefault("allergies_reviewed", True)
    # The prescriber's clearance is read by the program check: apply it first.
    for name in sorted(fields, key=lambda n: n != "program_cleared_by"):
        APPLY[name](current, name, fields[name])
    current.full_clean()
    current.save()
    changes = diff(before, snapshot(current, AUDITED))
    if changes:
        audit(AuditEvent.Action.UPDATE, user=user, visit=current, obj=current, changes=changes)
    if current.dose_held and not was_held:
        prepared_not_given_record(
            appointment=current.appointment, reason="held", detail=current.held_reason, user=user
        )
    return current


@transaction.atomic
def visit_discharge(
    *,
    visit: Visit,
    user: User,
    discharged_at: dt.datetime | None,
    condition: str,
    early_discharge_reason: str = "",
    supervising_provider: StaffMember | None = None,
) -> Visit:
    """Record the discharge (time, condition) and the supervising provider on site."""
    current = locked_visit(visit)
    before = snapshot(current, AUDITED)
    on_visit_day(current, discharged_at, "discharged_at", "discharge time")
    last_stop = current.administrations.exclude(stopped_at=None).order_by("-stopped_at").first()
    if discharged_at and last_stop and discharged_at < last_stop.stopped_at:  # type: ignore[operator]
        raise ValidationError(
            {"discharged_at": "The discharge time is before the end of the infusion."}
        )
    if condition and condition not in Visit.Condition.values:
        raise ValidationError({"discharge_condition": "Choose the patient's condition."})
    if supervising_provider is not None:
        same_organization(current, supervising_provider=supervising_provider)
        if supervising_provider.credential not in StaffMember.PRESCRIBERS:
            raise ValidationError(
                {"supervising_provider": "The supervising provider is a physician, NP or PA."}
            )
    current.discharged_at = discharged_at
    current.discharge_condition = condition
    current.early_discharge_reason = early_discharge_reason.strip()[:255]
    current.supervising_provider = supervising_provider
    current.full_clean()
    current.save()
    changes = diff(before, snapshot(current, AUDITED))
    if changes:
        audit(AuditEvent.Action.UPDATE, user=user, visit=current, obj=current, changes=changes)
    return current


@transaction.atomic
def visit_allergy_add(
    *, visit: Visit, user: User, substance: str, reaction: str = "", severity: str = "unknown"
) -> Any:
    """An allergy the patient reports at check-in goes on the chart at once (audited there),
    coded to the formulary's generic name when it names one of its drugs (``Remicade`` →
    ``infliximab``), and counts as today's allergy review. The allergy check against today's
    drug and premedications then reads it (``selectors.visit_allergy_conflicts``)."""

    current = locked_visit(visit)
    formulary = {
        d.generic_name: [d.brand_name] if d.brand_name else []
        for d in Drug.objects.filter(organization=current.organization)
    }
    typed = substance.strip()
    coded = code_substance(typed, formulary) if typed else None
    allergy = allergy_add(
        patient=current.patient,
        user=user,
        substance=coded or typed,
        reaction=reaction.strip()[:200],
        severity=severity or "unknown",
    )
    if current.allergies_reviewed_at is None:
        visit_update(visit=current, user=user, allergies_reviewed=True)
    return allergy
