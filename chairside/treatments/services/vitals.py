"""Vital signs: impossible values refused (nothing saved), abnormal ones flagged."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import diff, snapshot
from chairside.core.actors import acting_user
from chairside.rules.clinical.vitals import VitalSigns, flag_vitals, problems
from chairside.treatments.models import Visit, VitalReadings, Vitals
from chairside.treatments.services._common import audit, locked_visit, on_visit_day

if TYPE_CHECKING:
    from django.contrib.auth.models import User

READINGS = ("systolic", "diastolic", "pulse", "temperature_c", "spo2", "respiratory_rate")


def checked_readings(
    *,
    systolic: int | None = None,
    diastolic: int | None = None,
    pulse: int | None = None,
    temperature_c: Decimal | None = None,
    spo2: int | None = None,
    respiratory_rate: int | None = None,
) -> VitalSigns:
    """The readings, or a ValidationError: none at all, or one outside the physiological
    bounds of ``rules.clinical.vitals`` (a message per field). Shared by the chair and the
    home visit."""
    readings = VitalSigns(
        systolic=systolic,
        diastolic=diastolic,
        pulse=pulse,
        temperature_c=temperature_c,
        spo2=spo2,
        respiratory_rate=respiratory_rate,
    )
    if readings.is_empty():
        raise ValidationError("Enter at least one reading.")
    found = problems(readings)
    if found:
        raise ValidationError(found)
    return readings


def fill_readings(row: VitalReadings, readings: VitalSigns) -> None:
    """Copy checked readings onto a chair or home vitals row, with their abnormal flags."""
    for name in READINGS:
        setattr(row, name, getattr(readings, name))
    row.flags = [asdict(f) for f in flag_vitals(readings)]


@transaction.atomic
def vitals_record(
    *,
    visit: Visit,
    user: User,
    phase: str,
    taken_at: dt.datetime | None = None,
    systolic: int | None = None,
    diastolic: int | None = None,
    pulse: int | None = None,
    temperature_c: Decimal | None = None,
    spo2: int | None = None,
    respiratory_rate: int | None = None,
) -> Vitals:
    """Record one set of readings taken before, during or after the infusion.

    Readings outside the physiological bounds of ``rules.clinical.vitals`` are refused with a
    message per field; abnormal ones are saved with their flags for the nurse to act on.
    """
    current = locked_visit(visit)
    if phase not in Vitals.Phase.values:
        raise ValidationError({"phase": "Say when the vital signs were taken."})
    taken_at = taken_at or timezone.now()
    on_visit_day(current, taken_at, "taken_at", "time of the readings")
    readings = checked_readings(
        systolic=systolic,
        diastolic=diastolic,
        pulse=pulse,
        temperature_c=temperature_c,
        spo2=spo2,
        respiratory_rate=respiratory_rate,
    )
    row = Vitals(visit=current, phase=phase, taken_at=taken_at, taken_by=acting_user(user))
    fill_readings(row, readings)
    row.full_clean()
    row.save()
    audit(
        AuditEvent.Action.CREATE,
        user=user,
        visit=current,
        obj=row,
        changes=diff({}, snapshot(row, ("phase", "taken_at", *READINGS))),
    )
    return row


@transaction.atomic
def vitals_remove(*, vitals: Vitals, user: User, reason: str) -> None:
    """Strike a set of readings entered in error (before signing), with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why these readings are removed."})
    visit = locked_visit(vitals.visit)
    audit(
        AuditEvent.Action.DELETE,
        user=user,
        visit=visit,
        obj=vitals,
        changes=diff(snapshot(vitals, ("phase", "taken_at", *READINGS)), {}),
        reason=reason.strip(),
    )
    vitals.delete()
