"""An appointment's day: confirmed, checked in, in the chair, completed — or not at all.

Cancellations and no-shows carry a reason and give back the authorization visit the booking
reserved; a completed appointment uses it (the visit module may later correct the units).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.authorizations.models import AuthorizationUsage
from chairside.access.authorizations.services import (
    authorization_consume,
    authorization_release,
    authorization_reserve,
)
from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling.booking import us_date
from chairside.scheduling.checks import (
    load_day,
    needs_for,
    patient_spans,
    time_problems,
    units_for,
)
from chairside.scheduling.events import appointment_placed
from chairside.scheduling.models import Appointment
from chairside.scheduling.services.appointments import (
    SOURCE,
    locked_appointment,
    set_status,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def appointment_confirm(*, appointment: Appointment, user: User | None) -> Appointment:
    """The patient confirmed (by phone, text or portal); the optimizer leaves it in place."""
    return set_status(
        locked_appointment(appointment), user, states.CONFIRMED, reason_code="", reason=""
    )


@transaction.atomic
def appointment_check_in(*, appointment: Appointment, user: User) -> Appointment:
    """The patient has arrived. Only on the appointment's own date (at its location)."""
    locked = locked_appointment(appointment)
    today = timezone.localtime(timezone.now(), locked.location.tz).date()
    day = locked.local_start().date()
    if day != today:
        raise ValidationError(f"This appointment is on {us_date(day)}, not today.")
    was_missed = locked.status == states.NO_SHOW
    if was_missed:
        _reactivate(locked, user)
    set_status(locked, user, states.CHECKED_IN, reason_code="", reason="")
    if was_missed:
        appointment_placed(locked, user)  # the vials released when marked missed
    locked.checked_in_at = timezone.now()
    locked.save(update_fields=["checked_in_at", "updated_at"])
    return locked


def _reactivate(appointment: Appointment, user: User) -> None:
    """A no-show who arrived late: the chair must still be free and the dose not rebooked."""
    data = load_day(
        appointment.location, appointment.local_start().date(), exclude={appointment.pk}
    )
    problems = time_problems(
        data,
        chair=appointment.chair,
        nurse=appointment.nurse,
        start=appointment.local_start(),
        end=appointment.local_end(),
        patient_name=appointment.patient.full_name,
        patient_busy=patient_spans(
            appointment.patient, appointment.location, data.day, {appointment.pk}
        ),
        needs=needs_for(appointment.order),
    )
    live = appointment.order.appointments.filter(
        dose_number=appointment.dose_number, status__in=states.OCCUPYING
    )
    if live.exists():
        problems.append(f"Dose {appointment.dose_number} was booked again; use that booking.")
    if problems:
        raise ValidationError(["Move the appointment before checking in:", *problems])
    authorization_reserve(
        order=appointment.order,
        on_date=data.day,
        units=units_for(appointment.order, appointment.dose_number),
        source_type=SOURCE,
        source_id=str(appointment.public_id),
        user=user,
        override=appointment.authorization_override,
    )


@transaction.atomic
def appointment_seat(*, appointment: Appointment, user: User) -> Appointment:
    """The patient is in the chair."""
    return set_status(
        locked_appointment(appointment), user, states.IN_CHAIR, reason_code="", reason=""
    )


@transaction.atomic
def appointment_complete(*, appointment: Appointment, user: User) -> Appointment:
    """The treatment is done: the booking's reserved authorization visit is now used."""
    locked = set_status(
        locked_appointment(appointment), user, states.COMPLETED, reason_code="", reason=""
    )
    reserved = AuthorizationUsage.objects.filter(
        source_type=SOURCE,
        source_id=str(locked.public_id),
        released_at__isnull=True,
        kind=AuthorizationUsage.Kind.RESERVED,
    )
    if reserved.exists():  # the visit module may already have used it, with the units given
        authorization_consume(source_type=SOURCE, source_id=str(locked.public_id), user=user)
    return locked


def _require_reason(reason_code: str, reason: str, what: str) -> None:
    if reason_code not in Appointment.Reason.values:
        raise ValidationError({"reason_code": f"Choose why the appointment was {what}."})
    if reason_code == Appointment.Reason.OTHER and not reason.strip():
        raise ValidationError({"reason": "Say what happened."})


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, user: User, reason_code: str, reason: str = ""
) -> Appointment:
    """Cancel with a reason; the chair, the nurse and the authorization visit are freed."""
    _require_reason(reason_code, reason, "cancelled")
    locked = set_status(
        locked_appointment(appointment),
        user,
        states.CANCELLED,
        reason_code=reason_code,
        reason=reason,
    )
    authorization_release(source_type=SOURCE, source_id=str(locked.public_id), user=user)
    return locked


@transaction.atomic
def appointment_mark_no_show(
    *, appointment: Appointment, user: User, reason_code: str = "no_contact", reason: str = ""
) -> Appointment:
    """The patient did not come. Only once the appointment's start has passed."""
    _require_reason(reason_code, reason, "missed")
    locked = locked_appointment(appointment)
    if locked.start > timezone.now():
        start = locked.local_start()
        raise ValidationError(
            f"It is not yet {start:%H:%M} on {us_date(start.date())}: "
            "a patient cannot miss an appointment that has not started."
        )
    set_status(locked, user, states.NO_SHOW, reason_code=reason_code, reason=reason)
    authorization_release(source_type=SOURCE, source_id=str(locked.public_id), user=user)
    return locked
