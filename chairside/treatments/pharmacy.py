"""The pharmacist's queue: booked doses of today and tomorrow, to verify and then prepare.

Each row works the dose out with the visit's own rule (``selectors.plan_dose``: the
order's weight, or the weight now on file when it moved by more than 10 %) and proposes
vials and lots with the inventory's ``dispense_suggestion`` (``choose_vials``, then first
expiry first out, the patient's own stock first). A verification is kept for the dose it
was made for: when the dose changes later (a new weight, a changed order) the row asks
for a new one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from chairside.inventory.models import Lot, Movement
from chairside.inventory.services import dispense_suggestion
from chairside.patients.models import BodyMeasurement
from chairside.rules.scheduling import appointment_states as states
from chairside.scheduling.models import Appointment
from chairside.treatments.models import DoseVerification, EarlyPreparation, PreparationVial, Visit
from chairside.treatments.selectors import DosePlan, day_window, plan_dose
from chairside.treatments.services.prep_gate import prep_gate_problem

# Doses still to come from the shelf: once completed (or cancelled) there is nothing to verify.
QUEUE_STATES = frozenset({states.BOOKED, states.CONFIRMED, states.CHECKED_IN, states.IN_CHAIR})
QUEUE_DAYS = 2  # today and tomorrow

TO_VERIFY, CHANGED, VERIFIED, DISPENSED, NO_DOSE = (
    "to_verify",
    "changed",
    "verified",
    "dispensed",
    "no_dose",
)
STATUS_LABELS = {
    TO_VERIFY: "To verify",
    CHANGED: "Dose changed: verify again",
    VERIFIED: "Verified",
    DISPENSED: "Dispensed",
    NO_DOSE: "Dose not known yet",
}


@dataclass
class QueueRow:
    """One booked dose: the patient, the order, the dose now, the vials, the verification."""

    appointment: Appointment
    day: dt.date
    visit: Visit | None
    weight_kg: Decimal | None
    weight_on: dt.date | None
    plan: DosePlan
    picks: list[tuple[Lot, int]]
    stock_problem: str
    verification: DoseVerification | None
    dispensed: bool
    early: Any = None  # the EarlyPreparation recorded for it, if any
    gate: str = ""  # why it may not be prepared yet (the prep gate); "" when it may

    @property
    def status(self) -> str:
        if self.dispensed:
            return DISPENSED
        if self.plan.dose_mg is None:
            return NO_DOSE
        if self.verification is None:
            return TO_VERIFY
        if self.verification.dose_mg != self.plan.dose_mg:
            return CHANGED
        return VERIFIED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def needs_verification(self) -> bool:
        return self.status in (TO_VERIFY, CHANGED)

    @property
    def dispense_ref(self) -> str:
        """The ledger's ``visit_ref`` for this dose: the visit once started, else the booking."""
        return str(self.visit.public_id if self.visit else self.appointment.public_id)


def _visit(appointment: Appointment) -> Visit | None:
    try:
        return appointment.visit
    except Visit.DoesNotExist:
        return None


def _weight(appointment: Appointment, visit: Visit | None) -> tuple[Decimal | None, Any, str]:
    """Today's weight when the visit recorded one, else the latest on file."""
    if visit is not None and visit.weight_kg is not None:
        return visit.weight_kg, visit.date, "today's weight"
    measured = appointment.patient.measurements.all()
    latest = max(measured, key=lambda m: (m.measured_on, m.pk), default=None)
    if latest is None:
        return None, None, ""
    on = latest.measured_on
    return latest.weight_kg, on, f"latest weight, {on:%m/%d/%Y}"


def _picks(appointment: Appointment, dose: Decimal | None, day: dt.date) -> tuple[list[Any], str]:
    if dose is None:
        return [], ""
    try:
        picks = dispense_suggestion(
            organization=appointment.organization,
            location=appointment.location,
            dose_mg=dose,
            patient=appointment.patient,
            drug=appointment.order.drug,
            today=day,
        )
    except ValidationError as exc:
        return [], " ".join(exc.messages)
    return picks, ""


def queue_row(
    appointment: Appointment, latest: DoseVerification | None, dispensed: bool
) -> QueueRow:
    """Work out one booked dose (``latest``: its verification in force, if any)."""
    day = appointment.local_start().date()
    visit = _visit(appointment)
    weight, weight_on, label = _weight(appointment, visit)
    number = visit.dose_number if visit else appointment.dose_number
    plan = plan_dose(appointment.order, number, weight, label)
    picks, problem = ([], "") if dispensed else _picks(appointment, plan.dose_mg, day)
    return QueueRow(
        appointment, day, visit, weight, weight_on, plan, picks, problem, latest, dispensed
    )


def _appointments(organization: Any, days: list[dt.date], location: Any) -> list[Appointment]:
    low, _ = day_window(days[0])
    _, high = day_window(days[-1])
    found = (
        Appointment.objects.filter(
            organization=organization,
            status__in=QUEUE_STATES,
            start__gte=low,
            start__lt=high,
        )
        .select_related("patient", "order__drug", "location", "organization", "chair", "visit")
        .prefetch_related(
            Prefetch(
                "patient__measurements",
                queryset=BodyMeasurement.objects.order_by("-measured_on", "-id"),
            )
        )
        .order_by("start", "chair__sort_order")
    )
    if location is not None:
        found = found.filter(location=location)
    return [a for a in found if a.local_start().date() in days]


def _dispensed_refs(organization: Any, appointments: list[Appointment]) -> set[str]:
    refs = {str(a.public_id) for a in appointments}
    refs |= {str(v.public_id) for a in appointments if (v := _visit(a)) is not None}
    return set(
        Movement.objects.filter(
            organization=organization, kind=Movement.Kind.DISPENSE, visit_ref__in=refs
        ).values_list("visit_ref", flat=True)
    )


def _latest_verifications(appointments: list[Appointment]) -> dict[int, DoseVerification]:
    latest: dict[int, DoseVerification] = {}
    rows = DoseVerification.objects.filter(appointment__in=appointments).select_related("verifier")
    for row in rows.order_by("verified_at", "id"):
        latest[row.appointment_id] = row  # the last one wins
    return latest


def pharmacy_queue(
    *,
    organization: Any,
    today: dt.date,
    location: Any = None,
    days: int = QUEUE_DAYS,
    gate: bool = True,
) -> list[QueueRow]:
    """Today's and tomorrow's booked doses at the organization's sites (or one site), with
    each one's prep gate unless ``gate`` is off (a count needs none)."""
    wanted = [today + dt.timedelta(days=n) for n in range(days)]
    appointments = _appointments(organization, wanted, location)
    dispensed = _dispensed_refs(organization, appointments)
    latest = _latest_verifications(appointments)
    rows = []
    for appointment in appointments:
        visit = _visit(appointment)
        refs = {str(appointment.public_id)} | ({str(visit.public_id)} if visit else set())
        rows.append(queue_row(appointment, latest.get(appointment.pk), bool(refs & dispensed)))
    if gate:
        _gate(rows)
    return rows


def _gate(rows: list[QueueRow]) -> None:
    """Each row's prep gate: the early-preparation reason, or why it must wait."""

    early = {
        e.appointment_id: e
        for e in EarlyPreparation.objects.filter(
            appointment_id__in=[r.appointment.pk for r in rows]
        ).select_related("recorded_by")
    }
    for row in rows:
        row.early = early.get(row.appointment.pk)
        if row.early is None and not row.dispensed:
            row.gate = prep_gate_problem(row.appointment, row.visit)


def access_queue_row(*, organization: Any, public_id: Any) -> QueueRow:
    """One appointment of the organization as a queue row (404-style DoesNotExist otherwise)."""
    appointment = Appointment.objects.select_related(
        "patient", "order__drug", "location", "organization"
    ).get(organization=organization, public_id=public_id, status__in=QUEUE_STATES)
    latest = _latest_verifications([appointment]).get(appointment.pk)
    return queue_row(appointment, latest, bool(_dispensed_refs(organization, [appointment])))


def to_verify_count(*, organization: Any, today: dt.date) -> int:
    """Doses of today and tomorrow still waiting for (or needing a new) verification."""
    rows = pharmacy_queue(organization=organization, today=today, gate=False)
    return sum(1 for row in rows if row.needs_verification)


def pharmacy_dispenses(visit: Visit) -> list[Movement]:
    """Vials the pharmacy dispensed for this dose (under the visit or its booking) that the
    visit's preparation does not use yet: the nurse attaches them instead of dispensing."""

    used = PreparationVial.objects.filter(preparation__visit=visit).values("movement_id")
    return list(
        Movement.objects.filter(
            organization=visit.organization,
            kind=Movement.Kind.DISPENSE,
            patient=visit.patient,
            visit_ref__in=[str(visit.public_id), str(visit.appointment.public_id)],
        )
        .exclude(pk__in=used)
        .select_related("lot__package")
        .order_by("at", "pk")
    )


def verification_of(visit: Visit) -> DoseVerification | None:
    """The pharmacist's verification in force for the visit's booked dose."""
    return (
        DoseVerification.objects.filter(appointment_id=visit.appointment_id)
        .select_related("verifier")
        .first()
    )
