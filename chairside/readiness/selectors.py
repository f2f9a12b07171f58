"""Readiness of the coming appointments: each input checked, read live (so it follows every
change at once: a new authorization, a delivery, a signed consent).

The checks reuse the modules' own rules: ``authorization_check`` for the payer, the labs-due
rule of the order, ``consent_problem`` of the visit, the inventory forecast's first short day,
``competency_problem`` of booking. The status is ``rules.scheduling.readiness.level``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from chairside.access.authorizations.events import BenefitsFlag, benefits_flags
from chairside.access.authorizations.services import (
    CheckRequest,
    authorization_checks,
)
from chairside.access.referrals.selectors import labs_due_for_orders
from chairside.inventory.booking import short_drugs_at
from chairside.inventory.selectors import reserved_for
from chairside.inventory.services.reservations import in_window
from chairside.patients.models import Coverage
from chairside.reminders.models import RescheduleRequest
from chairside.rules.clinical.visit_checks import consent_problem
from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling.booking import competency_problem
from chairside.rules.scheduling.readiness import LABELS, Finding, Level, level, plan_year_problem
from chairside.scheduling.checks import competences_of, needs_for, units_for
from chairside.scheduling.models import Appointment, NurseShift
from chairside.tenancy.models import Location, StaffMember
from chairside.treatments.models import Consent

ACTIVE = (states.BOOKED, states.CONFIRMED)
PROVIDERS = ("MD", "DO", "NP", "PA")


@dataclass
class Row:
    appointment: Appointment
    findings: list[Finding]

    @property
    def level(self) -> Level:
        return level(self.findings)

    @property
    def label(self) -> str:
        return LABELS[self.level]


@dataclass
class Day:
    date: dt.date
    rows: list[Row] = field(default_factory=list)

    def count(self, which: str) -> int:
        return sum(1 for r in self.rows if r.level == which)

    @property
    def ready(self) -> int:
        return self.count(Level.READY)

    @property
    def at_risk(self) -> int:
        return self.count(Level.AT_RISK)

    @property
    def not_ready(self) -> int:
        return self.count(Level.NOT_READY)


def business_days(start: dt.date, count: int) -> list[dt.date]:
    """The next ``count`` weekdays from ``start`` (inclusive)."""
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _appointments(organization: Any, days: list[dt.date], location: Any) -> list[Appointment]:
    # From the first day's midnight at the earliest site to the last day's end at the
    # latest: a range on ``start`` uses the board's index (``start__date`` reads every row).
    sites = Location.objects.filter(organization=organization)
    if location is not None:
        sites = sites.filter(pk=location.pk)
    zones = {zoneinfo.ZoneInfo(tz) for tz in sites.values_list("time_zone", flat=True)}
    if not zones:
        return []
    low = min(dt.datetime.combine(days[0], dt.time(0), tzinfo=z) for z in zones)
    end = days[-1] + dt.timedelta(days=1)
    high = max(dt.datetime.combine(end, dt.time(0), tzinfo=z) for z in zones)
    qs = (
        Appointment.objects.filter(
            organization=organization, status__in=ACTIVE, start__gte=low, start__lt=high
        )
        .select_related("patient", "order__drug", "location", "chair", "nurse")
        .prefetch_related(
            "order__benefits__coverage__payer",
            Prefetch("nurse__competencies"),
        )
        .order_by("start")
    )
    if location is not None:
        qs = qs.filter(location=location)
    wanted = set(days)
    found = [a for a in qs if a.start.astimezone(a.location.tz).date() in wanted]
    for a in found:
        a.order.patient = a.patient  # the same row: spares the authorization check a query
    return found


def _order_findings(appt: Appointment, day: dt.date) -> list[Finding]:
    order = appt.order
    found = []
    if order.status != "active":
        found.append(Finding("order", True, f"The order is {order.get_status_display().lower()}."))
    elif order.expires_on < day:
        found.append(Finding("order", True, f"The order expired {order.expires_on:%m/%d/%Y}."))
    signed = getattr(order, "is_signed", None)
    if signed is False:
        found.append(Finding("order", True, "The order awaits the provider's signature."))
    return found


def _authorizations(
    appointments: list[Appointment], days: dict[int, dt.date]
) -> dict[int, list[Finding]]:
    """Each appointment's authorization finding, all checked in one batch (a fixed number of
    queries however many appointments): ``authorization_checks``."""
    found: dict[int, list[Finding]] = {}
    checked = [a for a in appointments if not a.authorization_override_id]
    for appt in appointments:
        if appt.authorization_override_id:
            found[appt.pk] = [
                Finding("authorization", False, "Booked on an override: no approval yet.")
            ]
    requests = [
        CheckRequest(
            order=appt.order,
            on_date=days[appt.pk],
            units=units_for(appt.order, appt.dose_number),
            source_type="scheduling.appointment",
            source_id=str(appt.public_id),
        )
        for appt in checked
    ]
    for appt, decision in zip(checked, authorization_checks(requests), strict=True):
        found[appt.pk] = [] if decision.ok else [Finding("authorization", True, decision.message)]
    return found


def _benefits(
    appt: Appointment,
    day: dt.date,
    active_coverages: set[int],
    flags: dict[int, list[BenefitsFlag]],
) -> list[Finding]:
    checks = [b for b in appt.order.benefits.all() if b.coverage_id in active_coverages]
    found = []
    for check in checks:
        if check.status != "verified":
            found.append(
                Finding("benefits", True, f"Benefits with {check.coverage.payer} not verified.")
            )
            continue
        problem = plan_year_problem(check.plan_year, day.year)
        if problem:
            found.append(Finding("benefits", False, problem))
        # What an eligibility re-check (271) found different and nobody has reviewed yet.
        found += [Finding("benefits", f.blocking, f.message) for f in flags.get(check.pk, [])]
    missing = active_coverages - {b.coverage_id for b in checks}
    if missing:
        found.append(Finding("benefits", True, "A coverage has no benefits check for this order."))
    return found


def _consent(appt: Appointment, day: dt.date, consents: dict[Any, Consent]) -> list[Finding]:
    consent = consents.get((appt.patient_id, appt.order.drug_id))
    problem = consent_problem(
        consent_drug=str(appt.order.drug) if consent else None,
        expires_on=consent.expires_on if consent else None,
        revoked=bool(consent and consent.revoked_at),
        visit_drug=str(appt.order.drug),
        on=day,
    )
    # Consent is signed at check-in (the visit's first step): a risk, not a block.
    return [Finding("consent", False, problem)] if problem else []


def _nurse(appt: Appointment, day: dt.date) -> list[Finding]:
    if appt.nurse is None:
        return [Finding("nurse", True, "No nurse assigned.")]
    problem = competency_problem(
        f"{appt.nurse.first_name} {appt.nurse.last_name}",
        competences_of(appt.nurse),
        needs_for(appt.order),
        day,
    )
    return [Finding("nurse", True, problem)] if problem else []


def readiness_rows(
    *, organization: Any, days: list[dt.date], location: Any = None, risks: bool = True
) -> list[Day]:
    """Every booked or confirmed appointment on ``days``, with its findings, by day.

    Reads every input for all the appointments at once, in a fixed number of queries
    whatever their number. ``risks=False`` leaves out the inputs that can only make an
    appointment *at risk* (consent, confirmation, provider on site, a reservation still
    to make): enough to count the *not ready* ones (``not_ready_count``)."""
    appointments = _appointments(organization, days, location)
    patients = {a.patient_id for a in appointments}
    coverages: dict[int, list[Coverage]] = defaultdict(list)
    for c in Coverage.objects.filter(patient_id__in=patients).select_related("payer"):
        coverages[c.patient_id].append(c)
    consents: dict[Any, Consent] = {}
    latest_first = Consent.objects.filter(patient_id__in=patients).order_by("signed_at", "id")
    for consent in latest_first if risks else ():
        consents[(consent.patient_id, consent.drug_id)] = consent  # the latest wins
    orders = list({a.order_id: a.order for a in appointments}.values())
    first_day: dict[int, dt.date] = {}
    for a in appointments:
        first_day.setdefault(a.order_id, a.start.astimezone(a.location.tz).date())
    labs = labs_due_for_orders(orders, first_day) if orders else {}
    short: dict[int, dict[int, dt.date]] = {}
    providers = _providers_on_site(organization, days) if risks else set()
    asked = set(
        RescheduleRequest.objects.filter(
            appointment_id__in=[a.pk for a in appointments], handled_at__isnull=True
        ).values_list("appointment_id", flat=True)
        if risks
        else ()
    )
    reserved = _reserved(appointments)
    local_day = {a.pk: a.start.astimezone(a.location.tz).date() for a in appointments}
    authorization = _authorizations(appointments, local_day)
    flags = benefits_flags(
        organization, [b.pk for a in appointments for b in a.order.benefits.all()]
    )
    by_day = {d: Day(d) for d in days}
    for appt in appointments:
        day = local_day[appt.pk]
        active = {
            c.pk
            for c in coverages[appt.patient_id]
            if c.is_active_on(day) and c.payer.kind != "self_pay"
        }
        findings = _order_findings(appt, day) + authorization[appt.pk]
        findings += _benefits(appt, day, active, flags)
        findings += [Finding("labs", True, d.message) for d in labs.get(appt.order_id, [])]
        findings += _consent(appt, day, consents) if risks else []
        findings += _stock(appt, day, reserved, short, risks=risks)
        findings += _nurse(appt, day)
        findings += _on_the_day(appt, day, providers, asked) if risks else []
        by_day[day].rows.append(Row(appt, findings))
    return list(by_day.values())


def not_ready_count(*, organization: Any, day: dt.date) -> tuple[int, int]:
    """(not ready, booked) on ``day`` at every site: the Today card, from the same batched
    read as the board without the inputs that can only put an appointment at risk."""
    [group] = readiness_rows(organization=organization, days=[day], risks=False)
    return group.count(Level.NOT_READY), len(group.rows)


def _on_the_day(
    appt: Appointment, day: dt.date, providers: set[tuple[int, dt.date]], asked: set[int]
) -> list[Finding]:
    """Risks put right on the day: the provider on site, the patient's confirmation."""
    findings = []
    if appt.location.requires_supervision_on_site and (appt.location_id, day) not in providers:
        findings.append(
            Finding("supervision", False, "No physician or NP on the rota at this site.")
        )
    if appt.pk in asked:
        message = "The patient asked to reschedule (reminder link): call them."
        findings.append(Finding("confirmed", False, message))
    elif appt.status != states.CONFIRMED:
        findings.append(Finding("confirmed", False, "The patient has not confirmed."))
    return findings


def _reserved(appointments: list[Appointment]) -> dict[int, list[Any]]:
    return reserved_for([a.pk for a in appointments])


def _stock(
    appt: Appointment,
    day: dt.date,
    reserved: dict[int, list[Any]],
    short: dict[int, dict[int, dt.date]],
    *,
    risks: bool = True,
) -> list[Finding]:
    """The drug reserved for this appointment from the site's lots; inside the reservation
    window an appointment without vials set aside is not sure of its dose."""
    if reserved.get(appt.pk):
        return []
    if appt.location_id not in short:
        short[appt.location_id] = short_drugs_at(appt.location)
    stockout = short[appt.location_id].get(appt.order.drug_id)
    drug = appt.order.drug.generic_name
    if stockout is not None and stockout <= day:
        message = f"{drug} runs short at {appt.location.name} from {stockout:%m/%d/%Y}."
        return [Finding("stock", True, message)]
    if risks and _in_window(appt):
        return [Finding("stock", False, f"No {drug} vials reserved yet: reserve them now.")]
    return []


def _in_window(appt: Appointment) -> bool:
    return in_window(appt)


def _providers_on_site(organization: Any, days: list[dt.date]) -> set[tuple[int, dt.date]]:
    providers = StaffMember.objects.filter(organization=organization, credential__in=PROVIDERS)
    return set(
        NurseShift.objects.filter(
            organization=organization, date__in=days, staff__in=providers
        ).values_list("location_id", "date")
    )
