"""Lot reservations: the drug for each appointment of the next few business days, set aside.

``reservation_reserve`` picks the vials the dose needs the way the dispense will
(``rules.inventory.fefo.plan_dose``: ``choose_vials``, the patient's own stock first, first expiry
first out, unexpired on the appointment's day) from what is *free* — each lot's on-hand less
its active reservations — under the same row locks every stock movement takes, so two
bookings can never reserve the same vial. Scheduling calls it when an appointment is booked
or moved and releases it when the appointment is cancelled, missed or rescheduled; the
nightly job (``inventory.tasks.reserve_upcoming``) reserves for appointments entering the
window; the dispense consumes it (``consume_for_dispense``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.inventory.models import Lot, Reservation, StoragePlace
from chairside.inventory.services._ledger import today_at
from chairside.rules.inventory.fefo import LotStock, plan_dose
from chairside.rules.inventory.reservations import available_vials, reservation_problem, window_days
from chairside.scheduling.models import Appointment

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Appointments whose drug is still to come off the shelf (as the forecast counts them).
RESERVING = ("booked", "confirmed", "checked_in")
ACTIVE = Reservation.Status.ACTIVE


def window_business_days() -> int:
    return int(getattr(settings, "STOCK_RESERVATION_BUSINESS_DAYS", 3))


def in_window(appointment: Any, today: dt.date | None = None) -> bool:
    """The appointment falls in the next N business days at its site (today included)."""
    location = appointment.location
    days = window_days(today or today_at(location), window_business_days())
    day: dt.date = appointment.start.astimezone(location.tz).date()
    return days[0] <= day <= days[-1]


def planned_dose(appointment: Any) -> Decimal | None:
    """The dose to reserve for: the order's rule at the latest weight on file (as the
    forecast and the pharmacy queue work it out); None when it cannot be known yet."""
    latest = appointment.patient.measurements.order_by("-measured_on", "-id").first()
    weight = latest.weight_kg if latest is not None else None
    try:
        return Decimal(appointment.order.dose_for_weight(weight, appointment.dose_number or 1))
    except ValueError:
        return None


def reserved_by_lot(lot_ids: list[int], *, exclude_patient: Any = None) -> dict[int, int]:
    """Active reserved vials per lot (less those of one patient, when given)."""
    found = Reservation.objects.filter(lot_id__in=lot_ids, status=ACTIVE)
    if exclude_patient is not None:
        found = found.exclude(appointment__patient_id=exclude_patient.pk)
    rows = found.values("lot_id").annotate(vials=Sum("vials")).values_list("lot_id", "vials")
    return {lot_id: int(vials or 0) for lot_id, vials in rows}


def _end(rows: Any, status: str, reason: str) -> int:
    return int(
        rows.filter(status=ACTIVE).update(status=status, ended_at=timezone.now(), reason=reason)
    )


def reservation_release(*, appointment: Any, reason: str, user: User | None = None) -> int:
    """Give the appointment's reserved vials back to the shelf; returns the rows released."""
    released = _end(Reservation.objects.filter(appointment=appointment), "released", reason[:200])
    if released:
        _audit(appointment, user, {"reserved": ["active", "released"]}, reason)
    return released


def _audit(appointment: Any, user: User | None, changes: dict[str, Any], reason: str = "") -> None:
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=appointment.organization,
        obj=appointment,
        patient=appointment.patient,
        changes=changes,
        reason=reason,
    )


def _still_good(current: list[Reservation], appointment: Any, dose: Decimal | None) -> bool:
    return bool(current) and all(
        r.dose_mg == dose
        and r.lot.storage_place.location_id == appointment.location_id
        and r.lot.package.drug_id == appointment.order.drug_id
        for r in current
    )


def _lots(appointment: Any, day: dt.date) -> list[Lot]:
    """The site's usable lots of the drug, locked in id order (no deadlock between two)."""
    return list(
        Lot.objects.select_for_update(of=("self",))
        .filter(
            organization=appointment.organization,
            storage_place__location=appointment.location,
            package__drug=appointment.order.drug,
            on_hand__gt=0,
            expires_on__gte=day,
        )
        .exclude(storage_place__kind=StoragePlace.Kind.QUARANTINE)
        .select_related("package")
        .order_by("pk")
    )


@transaction.atomic
def reservation_reserve(
    *, appointment: Any, user: User | None = None, today: dt.date | None = None
) -> list[Reservation]:
    """Reserve the vials of the appointment's dose; its active reservations afterwards.

    Idempotent: an appointment already reserved at its site for the same dose keeps its
    vials. Out of the window, or no longer to be treated, it is released instead. When the
    free stock cannot cover the dose nothing is reserved (the readiness board says so).
    """
    appt = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("location", "order__drug", "patient", "organization")
        .get(pk=appointment.pk)
    )
    current = list(
        appt.reservations.filter(status=ACTIVE).select_related("lot__storage_place", "lot__package")
    )
    if appt.status not in RESERVING or not in_window(appt, today):
        if current:
            reservation_release(appointment=appt, reason="Out of the reservation window")
        return []
    dose = planned_dose(appt)
    if _still_good(current, appt, dose):
        return current
    if current:
        reservation_release(appointment=appt, reason="The appointment changed: reserved again")
    if dose is None:
        return []
    return _reserve(appt, dose, user)


def _reserve(appt: Any, dose: Decimal, user: User | None) -> list[Reservation]:
    day = appt.start.astimezone(appt.location.tz).date()
    lots = _lots(appt, day)
    reserved = reserved_by_lot([lot.pk for lot in lots])
    stock = [
        LotStock(
            str(lot.pk),
            lot.package.strength_mg,
            lot.expires_on,
            available_vials(lot.on_hand, reserved.get(lot.pk, 0)),
            str(lot.patient_id) if lot.patient_id else None,
        )
        for lot in lots
    ]
    try:
        picks = plan_dose(stock, dose, today=day, patient_id=str(appt.patient_id))
    except ValueError:
        return []
    by_id = {str(lot.pk): lot for lot in lots}
    made = []
    for pick in picks:
        lot = by_id[pick.lot_id]
        problem = reservation_problem(lot.on_hand, reserved.get(lot.pk, 0), pick.vials)
        if problem:  # plan_dose only takes free vials; kept as the last line of defence
            raise ValidationError(f"Lot {lot.lot_number}: {problem}.")
        made.append(
            Reservation.objects.create(
                organization=appt.organization,
                appointment=appt,
                lot=lot,
                vials=pick.vials,
                dose_mg=dose,
            )
        )
    _audit(appt, user, {"reserved": [None, [f"{r.vials} x lot {r.lot.lot_number}" for r in made]]})
    return made


def _ref_filter(visit_ref: str | None) -> Q | None:
    try:
        ref = uuid.UUID(str(visit_ref))
    except ValueError:
        return None
    # The dispense names the booking, or the visit the visit module opened for it (its
    # one-to-one back to the appointment): a lookup by name, not an import of the visit.
    return Q(appointment__public_id=ref) | Q(appointment__visit__public_id=ref)


def consume_for_dispense(*, lot: Lot, patient: Any, vials: int, visit_ref: str | None) -> None:
    """Called by the dispense, with ``lot`` locked: refuse vials reserved for other
    patients, and mark this dose's reservation of the lot used.

    The dose is the appointment ``visit_ref`` names (the booking or its visit), else the
    patient's earliest reserved appointment that holds this lot.
    """
    others = reserved_by_lot([lot.pk], exclude_patient=patient).get(lot.pk, 0)
    free = available_vials(lot.on_hand, others)
    if others and vials > free:
        raise ValidationError(
            {
                "vials": f"Lot {lot.lot_number}: {others} of its {lot.on_hand} vials are "
                f"reserved for other patients' appointments, so {free} can be dispensed. "
                "Use another lot."
            }
        )
    mine = Reservation.objects.filter(appointment__patient=patient, status=ACTIVE)
    wanted = _ref_filter(visit_ref)
    chosen = mine.filter(wanted).first() if wanted is not None else None
    if chosen is None:
        chosen = mine.filter(lot=lot).order_by("appointment__start").first()
    if chosen is None:
        return
    # Its other lots stay reserved until they are dispensed too, or the treatment ends.
    _end(
        Reservation.objects.filter(appointment_id=chosen.appointment_id, lot=lot),
        "consumed",
        "Dispensed",
    )


def reserve_upcoming(*, today: dt.date | None = None) -> tuple[int, int]:
    """The nightly pass over every organization: reserve for the appointments in the window
    that hold no reservation yet; release the reservations of appointments that are no
    longer to be treated or left the window. Returns (reserved, released) appointments."""
    start = (today or timezone.localdate()) - dt.timedelta(days=1)
    horizon = start + dt.timedelta(days=window_business_days() * 2 + 5)
    upcoming = Appointment.objects.filter(
        status__in=RESERVING, start__date__gte=start, start__date__lte=horizon
    ).select_related("location")
    held = set(Reservation.objects.filter(status=ACTIVE).values_list("appointment_id", flat=True))
    reserved = 0
    for appointment in upcoming.order_by("start", "pk"):
        if appointment.pk not in held and in_window(appointment, today):
            reserved += bool(reservation_reserve(appointment=appointment, today=today))
    stale = Appointment.objects.filter(pk__in=held).exclude(
        pk__in=[a.pk for a in upcoming if in_window(a, today)]
    )
    released = sum(
        bool(reservation_release(appointment=a, reason="Out of the reservation window"))
        for a in stale.select_related("organization", "patient")
    )
    return reserved, released
