"""Move many appointments of one day at once (the optimizer's accepted proposal).

Each appointment's new place is checked against where every *other* appointment will be
after the whole change, not where it is now, so a swap of two chairs is allowed. The rows
are written together; on PostgreSQL the chair exclusion constraint is deferred to the end
of the change and then checked once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, diff, snapshot
from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling.booking import Span, span_text
from chairside.scheduling.checks import (
    Placement,
    load_day,
    needs_for,
    patient_spans,
    time_problems,
    with_placements,
)
from chairside.scheduling.models import Appointment
from chairside.scheduling.services.appointments import AUDITED, lock_rows
from chairside.tenancy.models import Chair, Location, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EXCLUSION = "appointment_no_chair_overlap"


@dataclass(frozen=True)
class Change:
    """Where one appointment goes: start (aware), chair, nurse (None: no nurse)."""

    appointment: Appointment
    start: dt.datetime
    chair: Chair
    nurse: StaffMember | None


def _placements(changes: list[Change]) -> dict[int, Placement]:
    return {
        c.appointment.pk: Placement(
            c.start,
            c.start + (c.appointment.end - c.appointment.start),
            c.chair.pk,
            c.nurse.pk if c.nurse else None,
        )
        for c in changes
    }


def _patient_busy(
    appointment: Appointment,
    location: Location,
    day: dt.date,
    changes: list[Change],
    overlay: dict[int, Placement],
) -> list[Span]:
    """The patient's other bookings that day, where they will be after the change."""
    busy = patient_spans(appointment.patient, location, day, exclude=set(overlay))
    return busy + [
        Span(overlay[c.appointment.pk].start, overlay[c.appointment.pk].end, "being moved")
        for c in changes
        if c.appointment.pk != appointment.pk and c.appointment.patient_id == appointment.patient_id
    ]


def rearrange_problems(
    location: Location, day: dt.date, changes: list[Change]
) -> dict[int, list[str]]:
    """Problems per appointment id, each checked against the day after the whole change."""
    overlay = _placements(changes)
    base = load_day(location, day, exclude=set(overlay))
    found: dict[int, list[str]] = {}
    for change in changes:
        where = overlay[change.appointment.pk]
        others = [p for pk, p in overlay.items() if pk != change.appointment.pk]
        data = with_placements(base, others)
        problems = time_problems(
            data,
            chair=change.chair,
            nurse=change.nurse,
            start=where.start,
            end=where.end,
            patient_name=change.appointment.patient.full_name,
            patient_busy=_patient_busy(change.appointment, location, day, changes, overlay),
            needs=needs_for(change.appointment.order),
        )
        if problems:
            found[change.appointment.pk] = problems
    return found


def _locked(location: Location, day: dt.date, changes: list[Change]) -> list[Change]:
    ids = sorted(c.appointment.pk for c in changes)
    rows = {
        a.pk: a
        for a in Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "order__drug", "chair", "location", "nurse")
        .filter(pk__in=ids)
    }
    fresh = []
    for change in changes:
        row = rows.get(change.appointment.pk)
        if row is None or row.location_id != location.pk or row.local_start().date() != day:
            raise ValidationError("An appointment in the change is not on this day's board.")
        if row.status not in states.MOVABLE:
            raise ValidationError(f"{row.patient.full_name} is {row.status_label.lower()}.")
        fresh.append(Change(row, change.start.astimezone(location.tz), change.chair, change.nurse))
    return fresh


@transaction.atomic
def appointments_rearrange(
    *, location: Location, day: dt.date, changes: list[Change], user: User, reason: str
) -> list[Appointment]:
    """Move several appointments of one day together, or none (ValidationError)."""
    if not changes:
        return []
    changes = _locked(location, day, changes)
    lock_rows(
        chairs=[c.chair for c in changes],
        nurses=[c.nurse for c in changes if c.nurse],
        patients=[c.appointment.patient for c in changes],
    )
    problems = rearrange_problems(location, day, changes)
    if problems:
        by_id = {c.appointment.pk: c for c in changes}
        raise ValidationError(
            [
                f"{by_id[pk].appointment.patient.full_name} at {by_id[pk].start:%H:%M}: {m}"
                for pk, messages in problems.items()
                for m in messages
            ]
        )
    _defer_chair_constraint()
    moved = [_write(change, user, reason) for change in changes]
    _check_chair_constraint()
    return moved


def _write(change: Change, user: User, reason: str) -> Appointment:
    appointment = change.appointment
    before = snapshot(appointment, AUDITED)
    length = appointment.end - appointment.start
    appointment.start, appointment.end = change.start, change.start + length
    appointment.chair, appointment.nurse = change.chair, change.nurse
    appointment.save(update_fields=["start", "end", "chair", "nurse", "updated_at"])
    changes = diff(before, snapshot(appointment, AUDITED))
    if changes:
        audit_record(
            action=AuditEvent.Action.UPDATE,
            user=user,
            organization=appointment.organization,
            obj=appointment,
            patient=appointment.patient,
            changes=changes,
            reason=reason,
        )
    return appointment


def _defer_chair_constraint() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {EXCLUSION} DEFERRED")


def _check_chair_constraint() -> None:
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {EXCLUSION} IMMEDIATE")
    except IntegrityError:
        raise ValidationError(
            "Another booking took one of these chairs meanwhile; run the optimizer again."
        ) from None


def change_text(change: Change) -> str:
    start = change.start
    end = start + (change.appointment.end - change.appointment.start)
    return f"{change.appointment.patient.full_name} {span_text(start, end)} {change.chair.name}"
