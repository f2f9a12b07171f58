"""Nurse shifts and closures: who works where and when, and the days a center is shut.

US federal holidays come from the ``holidays`` package (5 U.S.C. 6103, with the observed
weekday when a holiday falls on a weekend); any other closure is entered by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import holidays
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, diff, snapshot
from chairside.core.actors import acting_user
from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling.booking import span_text, us_date
from chairside.scheduling.checks import closure_reason, day_bounds, nurse_label
from chairside.scheduling.models import Appointment, Closure, NurseShift
from chairside.tenancy.models import Location, Organization, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NURSING = frozenset({"RN", "LPN", "NP"})
MAX_REPEAT_WEEKS = 26


def _audit(
    action: str, obj: Any, user: User | None, changes: dict[str, Any], reason: str = ""
) -> None:
    audit_record(
        action=action,
        user=user,
        organization=obj.organization,
        obj=obj,
        changes=changes,
        reason=reason,
    )


def _check_nurse(organization: Organization, staff: StaffMember, location: Location) -> None:
    if staff.organization_id != organization.pk or location.organization_id != organization.pk:
        raise ValidationError("Choose one of your organization's nurses and locations.")
    if staff.credential not in NURSING:
        raise ValidationError(
            {"staff": f"{staff} is not a nurse (RN, LPN or NP): only nurses take patients."}
        )
    if not staff.is_active:
        raise ValidationError({"staff": f"{staff} is no longer active."})


def _check_overlap(shift: NurseShift) -> None:
    others = NurseShift.objects.filter(
        staff=shift.staff, date=shift.date, starts__lt=shift.ends, ends__gt=shift.starts
    ).select_related("location")
    other = others.exclude(pk=shift.pk).first()
    if other is not None:
        raise ValidationError(
            f"{nurse_label(shift.staff)} already works {other.starts:%H:%M}–{other.ends:%H:%M} "
            f"on {us_date(shift.date)} at {other.location.name}."
        )


@transaction.atomic
def nurse_shift_add(
    *,
    organization: Organization,
    user: User,
    staff: StaffMember,
    location: Location,
    date: dt.date,
    starts: dt.time,
    ends: dt.time,
    repeat_weeks: int = 0,
    note: str = "",
) -> list[NurseShift]:
    """Put a nurse on the rota, on ``date`` and the same weekday for ``repeat_weeks`` more.

    Days the location is closed (a holiday, a snow day) are skipped: nobody can be booked
    then, and a rota showing a nurse on Thanksgiving would be wrong. Refused when every
    date asked for is closed.
    """
    _check_nurse(organization, staff, location)
    if ends <= starts:
        raise ValidationError({"ends": "The shift must end after it starts (same day)."})
    if not 0 <= repeat_weeks <= MAX_REPEAT_WEEKS:
        raise ValidationError({"repeat_weeks": f"Repeat for 0 to {MAX_REPEAT_WEEKS} weeks."})
    days = [date + dt.timedelta(weeks=week) for week in range(repeat_weeks + 1)]
    lapses = staff.license_expires
    if lapses is not None and days[-1] > lapses:
        # A nurse may not practise on a lapsed license (state nurse practice acts).
        raise ValidationError(
            {
                "date": f"{staff}'s {staff.credential} license expires {us_date(lapses)}: "
                "record the renewal before rostering them after that date."
            }
        )
    closed = {day: reason for day in days if (reason := closure_reason(location, day))}
    if len(closed) == len(days):
        raise ValidationError(
            {"date": f"{location.name} is closed on {closed[date]}, {us_date(date)}."}
        )
    made = []
    for day in days:
        if day in closed:
            continue
        shift = NurseShift(
            organization=organization,
            staff=staff,
            location=location,
            date=day,
            starts=starts,
            ends=ends,
            note=note.strip(),
        )
        shift.full_clean(validate_constraints=False)
        _check_overlap(shift)
        try:
            with transaction.atomic():
                shift.save()
        except IntegrityError:
            raise ValidationError(f"{staff} already has a shift then.") from None
        _audit(AuditEvent.Action.CREATE, shift, user, diff({}, snapshot(shift)))
        made.append(shift)
    return made


@dataclass(frozen=True)
class ShiftRemoved:
    unassigned: int


@transaction.atomic
def nurse_shift_remove(*, shift: NurseShift, user: User, reason: str = "") -> ShiftRemoved:
    """Take a shift off the rota; the nurse's patients in it are left without a nurse.

    The board and the Today page then show them as "without a nurse", to reassign.
    """
    start, end = shift.bounds()
    affected = Appointment.objects.select_for_update().filter(
        nurse=shift.staff,
        location=shift.location,
        start__lt=end,
        end__gt=start,
        status__in=states.OCCUPYING - {states.COMPLETED},
    )
    count = 0
    for appointment in affected:
        appointment.nurse = None
        appointment.save(update_fields=["nurse", "updated_at"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            user=user,
            organization=appointment.organization,
            obj=appointment,
            patient=appointment.patient,
            changes={"nurse": [str(shift.staff), None]},
            reason=f"Shift removed: {reason}".strip(": "),
        )
        count += 1
    _audit(AuditEvent.Action.DELETE, shift, user, diff(snapshot(shift), {}), reason)
    shift.delete()
    return ShiftRemoved(unassigned=count)


def appointments_on(organization: Organization, day: dt.date, location: Location | None) -> int:
    """Live appointments on a date at a location (or any of the organization's)."""
    places = [location] if location else list(Location.objects.filter(organization=organization))
    query = Q()
    for place in places:
        start, end = day_bounds(place, day)
        query |= Q(location=place, start__lt=end, end__gt=start)
    if not places:
        return 0
    return Appointment.objects.filter(query, status__in=states.OCCUPYING).count()


@transaction.atomic
def closure_add(
    *,
    organization: Organization,
    user: User | None,
    date: dt.date,
    reason: str,
    location: Location | None = None,
    kind: str = Closure.Kind.CUSTOM,
) -> Closure:
    """Close a location (or every location) for a day. Existing bookings stay, to be moved."""
    if location is not None and location.organization_id != organization.pk:
        raise ValidationError({"location": "Choose one of your organization's locations."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the center is closed (e.g. snow day)."})
    clash = Closure.objects.filter(organization=organization, date=date)
    clash = clash.filter(location=location) if location else clash.filter(location__isnull=True)
    if clash.exists():
        raise ValidationError({"date": f"{us_date(date)} is already closed."})
    closure = Closure(
        organization=organization,
        location=location,
        date=date,
        reason=reason.strip(),
        kind=kind,
        created_by=acting_user(user),
    )
    closure.full_clean(validate_constraints=False)
    closure.save()
    _audit(AuditEvent.Action.CREATE, closure, user, diff({}, snapshot(closure)))
    return closure


@transaction.atomic
def closure_remove(*, closure: Closure, user: User) -> None:
    _audit(AuditEvent.Action.DELETE, closure, user, diff(snapshot(closure), {}))
    closure.delete()


def federal_holidays(year: int) -> list[tuple[dt.date, str]]:
    """US federal holidays of the year: the day itself and, on a weekend, the observed weekday."""
    found = holidays.country_holidays("US", years=year, observed=True)
    return sorted((day, str(name)) for day, name in found.items() if day.year == year)


@transaction.atomic
def holidays_load(*, organization: Organization, year: int, user: User | None = None) -> int:
    """Close every location on the year's federal holidays; returns how many were added."""
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Give a year between 2000 and 2100."})
    taken = set(
        Closure.objects.filter(
            organization=organization, location__isnull=True, date__year=year
        ).values_list("date", flat=True)
    )
    added = 0
    for day, name in federal_holidays(year):
        if day in taken:
            continue
        closure_add(
            organization=organization,
            user=user,
            date=day,
            reason=name,
            kind=Closure.Kind.HOLIDAY,
        )
        added += 1
    return added


def shift_text(shift: NurseShift) -> str:
    start, end = shift.bounds()
    return f"{nurse_label(shift.staff)} {us_date(shift.date)} {span_text(start, end)}"
