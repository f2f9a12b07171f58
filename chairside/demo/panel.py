"""Demo step: the rest of the center's panel, so that the chairs are as busy as a real
center's (issue 16: weekday chair utilization of 55-75% at both sites over the past thirteen
and the next four weeks, a panel of over a thousand patients, synthetic data only).

The established patients of ``foundation``/``access``/``scheduling`` carry the detailed
history (stock, signed visits, claims). This step adds ``PANEL_PATIENTS`` more patients
(MRN ``DEMO-2…``) through the same chart and order code, then places their doses in bulk:

* each dose on its regimen date or the nearest day the regimen allows (``grace_for_gap``),
  never sooner after the previous dose than the regimen allows, at a time clustered around
  mid-morning (the morning peak the optimizer can flatten);
* in a chair and with a nurse chosen by ``rules.scheduling.booking.free_starts`` on the day as
  loaded by ``scheduling.checks.load_day`` plus what this step placed (so no chair is double
  booked, opening hours and closures hold, the nurse is on shift, holds the competencies
  and stays within the site's ratio);
* up to a utilization the day draws between ``LOW`` and ``HIGH`` of its open chair time;
* from today on, only where ``date_problems`` (order in force, spacing, labs) and
  ``authorization_check`` pass; a reserved authorization use is written for each, as
  ``appointment_book`` does. A dose refused there is left unbooked for the work queues.

Past doses are written as history (completed, a few no-shows), without a documented visit
or a claim (those stay with the established patients' history). Appointments, their
authorization uses and consents are written with ``bulk_create``; the test
``test_seeddemo.py`` re-checks a sample against the booking rules. The step runs once: when
the panel's patients exist it adds nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import Counter
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from chairside.access.authorizations.models import (
    AuthorizationUsage,
    BenefitsInvestigation,
    PriorAuthorization,
)
from chairside.access.authorizations.services.booking import authorization_check
from chairside.access.referrals.models import TreatmentOrder
from chairside.demo import DemoContext
from chairside.demo.access import _seed_patient_order
from chairside.demo.foundation import _demo_chart, _demo_patient, registered_at
from chairside.demo.inventory import _History, _places, _vendors
from chairside.demo.scheduling import AHEAD_DAYS, PAST_DAYS, PEAK, SPREAD
from chairside.demo.visits import demo_signature
from chairside.inventory.selectors.forecast import demand_forecast
from chairside.patients.models import LabResult, Patient
from chairside.readiness.selectors import business_days
from chairside.rules.clinical.visit_checks import consent_expires_on
from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling.booking import Span, free_starts, grace_for_gap, utilization
from chairside.scheduling.checks import (
    SLOT,
    DayData,
    date_problems,
    default_minutes,
    dose_context,
    load_day,
    needs_for,
    units_for,
)
from chairside.scheduling.models import Appointment
from chairside.scheduling.services.appointments import SOURCE
from chairside.tenancy.models import Location
from chairside.treatments.models import Consent

# 3300 by default: with the 300 established patients, the panel a 17-chair center at 55-75%
# needs (about 72% of them on treatment, most every four to eight weeks). DEMO_PANEL sets
# it; a demo shrunk with DEMO_PATIENTS for a quick check (make prod-check seeds 60) gets no
# panel unless DEMO_PANEL asks for one.
PANEL_PATIENTS = int(
    os.environ.get("DEMO_PANEL") or (0 if os.environ.get("DEMO_PATIENTS") else 3300)
)
MRN_BASE = 200000  # DEMO-200001…: apart from the established patients' DEMO-1…
PANEL_NOTE = "Demo panel."
ORDER_NOTE = "Demo panel order."
NOT_READY_NOTE = "Demo panel: not ready on purpose (readiness board)."
LOW, HIGH = 0.58, 0.72  # a day's share of open chair time booked, drawn per site and day
NO_SHOW_SHARE = 0.02
CONSENT_MISSING_SHARE = 0.02  # a few charts without a signed consent: "not ready"
STALE_LABS_SHARE = 0.05  # a few orders whose monitoring labs are out of date: "not ready"


class _Day:
    """One site's day as the rules see it, kept up to date as doses are placed."""

    def __init__(self, data: DayData, rng: random.Random) -> None:
        self.data = data
        rules = data.rules
        self.chairs = {name: list(spans) for name, spans in rules.chairs.items()}
        self.nurses = list(rules.nurses)
        self.rules = replace(rules, chairs=self.chairs, nurses=self.nurses)
        self.open = rules.opens is not None and rules.closes is not None and not rules.closure
        self.target = rng.uniform(LOW, HIGH)

    def share(self) -> float:
        if not self.open:
            return 1.0
        assert self.rules.opens is not None and self.rules.closes is not None
        spans = [s for spans in self.chairs.values() for s in spans]
        return utilization(spans, len(self.chairs), self.rules.opens, self.rules.closes)

    def place(self, start: dt.datetime, end: dt.datetime, chair: str, nurse: str | None) -> None:
        span = Span(start, end, "another patient")
        self.chairs[chair].append(span)
        for index, day in enumerate(self.nurses):
            if day.key == nurse:
                self.nurses[index] = replace(day, patients=(*day.patients, span))


class _Panel:
    def __init__(self, ctx: DemoContext, today: dt.date, now: dt.datetime) -> None:
        self.ctx, self.today, self.now = ctx, today, now
        self.org = ctx.organizations["riverside"]
        self.user = ctx.users.get("coordinator")
        self.days: dict[tuple[int, dt.date], _Day] = {}
        self.counts: Counter[str] = Counter()
        self.window = (today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(AHEAD_DAYS))
        # The history's appointments wait here and are written together (one insert an
        # order): nothing reads them back until a coming dose of the same order is checked.
        self.pending: list[Appointment] = []
        self.authorizations: dict[int, list[PriorAuthorization]] = {}

    def flush(self) -> None:
        Appointment.objects.bulk_create(self.pending)
        self.pending = []

    def authorization_on(self, order: TreatmentOrder, on: dt.date) -> PriorAuthorization | None:
        """The order's approved (or since expired) authorization covering ``on``: the panel
        adds none while it books, so each order's are read once."""
        if order.pk not in self.authorizations:
            found = order.authorizations.filter(status__in=["approved", "expired"])
            self.authorizations[order.pk] = list(found if found.ordered else found.order_by("pk"))
        return next(
            (
                a
                for a in self.authorizations[order.pk]
                if a.start_on is not None and a.end_on is not None and a.start_on <= on <= a.end_on
            ),
            None,
        )

    def day(self, order: TreatmentOrder, on: dt.date) -> _Day:
        location = order.location
        assert location is not None
        key = (location.pk, on)
        if key not in self.days:
            rng = random.Random(f"riverside-panel-day-{location.pk}-{on.isoformat()}")
            self.days[key] = _Day(load_day(location, on), rng)
        return self.days[key]

    def order(self, order: TreatmentOrder) -> None:
        rng = random.Random(f"riverside-panel-{order.public_id}")
        dates = order.planned_dates()
        given = order.authorization_usage.filter(kind="consumed", released_at__isnull=True).count()
        previous: dt.date | None = None
        for number, due in enumerate(dates, start=1):
            gap = (dates[number - 1] - dates[number - 2]).days if number > 1 else 12
            grace = grace_for_gap(gap)
            not_before = previous + dt.timedelta(days=gap - grace) if previous else None
            if not self.window[0] <= due <= self.window[1]:
                previous = due if due < self.window[0] else previous
                continue
            placed = self.dose(
                order, rng, number, due, grace=grace, not_before=not_before, missed=number > given
            )
            previous = placed or due
        self.flush()

    def dose(
        self,
        order: TreatmentOrder,
        rng: random.Random,
        number: int,
        due: dt.date,
        *,
        grace: int,
        not_before: dt.date | None,
        missed: bool,
    ) -> dt.date | None:
        minutes = default_minutes(order, number)
        past_due = due < self.today
        for on in _candidate_days(due, grace):
            if (on < self.today) != past_due or (not_before and on < not_before):
                continue  # history stays in the past, bookings from today on
            day = self.day(order, on)
            if not day.open or day.share() >= day.target:
                continue
            slot = _closest(day, order, rng, on, minutes)
            if slot is None:
                continue
            decision = None
            if not past_due:
                self.flush()  # the checks read this order's earlier appointments
                decision = self.bookable(order, on, number)
                if decision is None:
                    continue
            self.write(order, day, slot, number, rng, missed=missed and past_due, held=decision)
            return on
        self.counts["left unplaced (no room or a rule refused)"] += 1
        return None

    def bookable(self, order: TreatmentOrder, on: dt.date, number: int) -> Any:
        """The authorization decision when the dose may be booked that day, else None."""
        if date_problems(order, on, dose_context(order, on, number=number)):
            self.counts["not booked (order, spacing or labs)"] += 1
            return None
        decision = authorization_check(order=order, on_date=on, units=units_for(order, number))
        if not decision.ok:
            self.counts["not booked (authorization)"] += 1
            return None
        return decision

    def write(
        self,
        order: TreatmentOrder,
        day: _Day,
        slot: Any,
        number: int,
        rng: random.Random,
        *,
        missed: bool,
        held: Any = None,
    ) -> None:
        """Book the dose; ``held`` is the authorization decision of a coming dose (its
        visit is reserved on the authorization, as ``appointment_book`` does)."""
        day.place(slot.start, slot.end, slot.chair, slot.nurse)
        on = slot.start.astimezone(day.data.location.tz).date()
        status, checked_in = states.BOOKED, None
        if slot.end <= self.now:
            status = states.NO_SHOW if missed or rng.random() < NO_SHOW_SHARE else states.COMPLETED
        elif slot.start <= self.now:
            status = states.IN_CHAIR
        elif rng.random() < (0.8 if on <= self.today + dt.timedelta(days=1) else 0.3):
            status = states.CONFIRMED
        if status in {states.COMPLETED, states.IN_CHAIR}:
            checked_in = slot.start - dt.timedelta(minutes=10)
        authorization = self.authorization_on(order, on)
        appointment = Appointment(
            organization=self.org,
            patient=order.patient,
            order=order,
            location=day.data.location,
            chair=day.data.chairs[slot.chair],
            nurse=day.data.staff.get(slot.nurse) if slot.nurse else None,
            start=slot.start,
            end=slot.end,
            dose_number=number,
            authorization=authorization,
            status=status,
            reason_code="no_contact" if status == states.NO_SHOW else "",
            reason="Two calls, no answer (demo)" if status == states.NO_SHOW else "",
            checked_in_at=checked_in,
            booked_by=self.user,
            notes=PANEL_NOTE,
        )
        self.counts[status] += 1
        if held is None:
            self.pending.append(appointment)
            return
        Appointment.objects.bulk_create([appointment])
        if on >= self.today:  # as appointment_book: the visit is reserved on the authorization
            decision = held
            AuthorizationUsage.objects.bulk_create(
                [
                    AuthorizationUsage(
                        order=order,
                        authorization=decision.authorization,
                        on_date=on,
                        units=units_for(order, number),
                        kind=AuthorizationUsage.Kind.RESERVED,
                        source_type=SOURCE,
                        source_id=str(appointment.public_id),
                        created_by=self.user,
                    )
                ]
            )


def _candidate_days(due: dt.date, grace: int) -> list[dt.date]:
    days = [due]
    for step in range(1, 4):
        if step <= grace:
            days.append(due - dt.timedelta(days=step))
        days.append(due + dt.timedelta(days=step))
    return days


def _closest(
    day: _Day, order: TreatmentOrder, rng: random.Random, on: dt.date, minutes: int
) -> Any:
    rules = day.rules
    assert rules.opens is not None and rules.closes is not None
    wanted = int(rng.gauss(PEAK, SPREAD)) // 15 * 15
    start = dt.datetime.combine(on, dt.time(0), tzinfo=day.data.location.tz)
    wish = max(rules.opens, min(start + dt.timedelta(minutes=wanted), rules.closes))
    slots = free_starts(rules, dt.timedelta(minutes=minutes), SLOT, needs=needs_for(order))
    return min(slots, key=lambda s: (abs((s.start - wish).total_seconds()), s.start), default=None)


def _patients(ctx: DemoContext, today: dt.date) -> list[Patient]:
    made = []
    for n in range(MRN_BASE + 1, MRN_BASE + PANEL_PATIENTS + 1):
        rng = random.Random(f"riverside-patient-{n}")
        patient = _demo_patient(rng, n - 100000, ctx, today)
        patient.created_at = registered_at(patient, today)
        Patient.objects.filter(pk=patient.pk).update(created_at=patient.created_at)
        _demo_chart(rng, patient, ctx, today)
        made.append(patient)
    return made


def _labs(orders: list[TreatmentOrder], today: dt.date) -> int:
    """The panel is monitored as a busy center's is: most orders' periodic labs were drawn
    within the last weeks (the access step draws some long ago, for the work queues)."""

    rows = []
    for order in orders:
        rng = random.Random(f"riverside-panel-labs-{order.public_id}")
        if rng.random() < STALE_LABS_SHARE:
            continue
        for lab in order.required_labs.all():
            if lab.every_days:
                rows.append(
                    LabResult(
                        patient=order.patient,
                        lab_name=lab.name,
                        result_on=today
                        - dt.timedelta(days=rng.randint(2, max(2, lab.every_days // 4))),
                        interpretation=LabResult.Interpretation.NEGATIVE,
                        notes="Demo result.",
                    )
                )
    LabResult.objects.bulk_create(rows)
    return len(rows)


def _consents(orders: list[TreatmentOrder]) -> int:
    rows = []
    for order in orders:
        rng = random.Random(f"riverside-panel-consent-{order.public_id}")
        if rng.random() < CONSENT_MISSING_SHARE:
            continue
        signed_on = order.first_dose_on or order.signed_on
        assert order.location is not None
        rows.append(
            Consent(
                organization=order.organization,
                patient=order.patient,
                drug=order.drug,
                order=order,
                signer_name=order.patient.full_name,
                signature=demo_signature(order.patient.mrn),
                risks_discussed="Infusion reactions, infections, benefits and alternatives (demo).",
                signed_at=dt.datetime.combine(signed_on, dt.time(9), tzinfo=order.location.tz),
                signed_on=signed_on,
                expires_on=consent_expires_on(signed_on),
            )
        )
    Consent.objects.bulk_create(rows)
    return len(rows)


def site_utilization(org: Any, today: dt.date | None = None) -> dict[str, float]:
    """Per site: the share of weekday open chair time booked, from thirteen weeks ago to
    four weeks ahead (``rules.scheduling.booking.utilization`` over the days as ``load_day`` sees
    them; closed days are left out)."""

    today = today or timezone.localdate()
    shares = {}
    for location in Location.objects.filter(organization=org).order_by("name"):
        used = total = 0.0
        for offset in range(-PAST_DAYS, AHEAD_DAYS + 1):
            on = today + dt.timedelta(days=offset)
            rules = load_day(location, on).rules
            if on.weekday() > 4 or rules.closure or rules.opens is None or rules.closes is None:
                continue
            spans = [s for spans in rules.chairs.values() for s in spans]
            share = utilization(spans, len(rules.chairs), rules.opens, rules.closes)
            open_time = len(rules.chairs) * (rules.closes - rules.opens).total_seconds()
            used, total = used + share * open_time, total + open_time
        if total:
            shares[location.name] = used / total
    return shares


def _not_ready_examples(org: Any, today: dt.date) -> list[str]:
    """A few of the next business days' panel bookings with something missing since they
    were booked, one of each kind the readiness board names (issue 16): an order put on
    hold, an approval that ends the day before, benefits awaiting re-verification, labs
    that lapse before the visit, a consent that expires before it, no nurse assigned."""

    days = business_days(today + dt.timedelta(days=1), 3)
    upcoming = [
        a
        for a in Appointment.objects.filter(
            organization=org, notes=PANEL_NOTE, status=states.BOOKED, start__date__gte=days[0]
        )
        .select_related("order", "location")
        .order_by("start", "pk")
        if a.local_start().date() in days
    ]
    done: list[str] = []
    used: set[int] = set()

    def pick(test: Any) -> Appointment | None:
        found = next((a for a in upcoming if a.order_id not in used and test(a)), None)
        if found is not None:
            used.add(found.order_id)
            Appointment.objects.filter(pk=found.pk).update(notes=NOT_READY_NOTE)
        return found

    if held := pick(lambda a: True):
        TreatmentOrder.objects.filter(pk=held.order_id).update(
            status=TreatmentOrder.Status.ON_HOLD,
            status_reason="Held by the prescriber: creatinine rising, awaiting repeat (demo).",
        )
        done.append("order on hold")
    if ends := pick(lambda a: a.authorization_id is not None):
        day = ends.local_start().date()
        PriorAuthorization.objects.filter(appointments=ends).update(
            end_on=day - dt.timedelta(days=1)
        )
        done.append("approval ends the day before")
    if pending := pick(lambda a: a.order.benefits.exists()):
        BenefitsInvestigation.objects.filter(order_id=pending.order_id).update(
            status=BenefitsInvestigation.Status.PENDING, verified_on=None
        )
        done.append("benefits to re-verify")
    if lapsing := pick(lambda a: a.order.required_labs.exclude(every_days=None).exists()):
        day = lapsing.local_start().date()
        for lab in lapsing.order.required_labs.exclude(every_days=None):
            assert lab.every_days is not None
            LabResult.objects.filter(patient_id=lapsing.patient_id, lab_name=lab.name).update(
                result_on=day - dt.timedelta(days=lab.every_days + 1)
            )
        done.append("labs lapse before the visit")
    if unsigned := pick(lambda a: True):
        day = unsigned.local_start().date()
        signed_on = day - dt.timedelta(days=370)
        Consent.objects.filter(patient_id=unsigned.patient_id).update(
            signed_on=signed_on,
            signed_at=dt.datetime.combine(signed_on, dt.time(9), tzinfo=unsigned.location.tz),
            expires_on=consent_expires_on(signed_on),
        )
        done.append("consent expires before the visit")
    if alone := pick(lambda a: a.nurse_id is not None):
        Appointment.objects.filter(pk=alone.pk).update(nurse=None)
        done.append("no nurse assigned")
    return done


def _stock_for_the_panel(ctx: DemoContext, now: dt.datetime) -> int:
    """The pharmacy stocks for the panel's bookings: for each vial the forecast of the next
    four weeks runs short of, a delivery today of the next ten days' vials (and a spare);
    the weeks after stay on the forecast's order suggestions."""

    org = ctx.organizations["riverside"]
    vendors = _vendors(org)
    history = _History(ctx, _places(ctx), vendors)
    history.rng = random.Random("riverside-panel-stock")
    vendor = vendors["Keystone Specialty Distribution (demo)"]
    lines = 0
    for key in ("main", "eastgate"):
        location = ctx.locations[key]
        forecast = demand_forecast(organization=org, location=location, days=28)
        wanted = {
            row.package: max(0, sum(row.cells[:10]) - row.on_hand) + 1
            for row in forecast.short_rows
        }
        history.receive(location, wanted, now - dt.timedelta(hours=1), vendor)
        lines += len(wanted)
    return lines


@transaction.atomic
def seed_panel(ctx: DemoContext) -> None:
    org = ctx.organizations["riverside"]
    if Patient.objects.filter(organization=org, mrn__startswith="DEMO-2").exists():
        ctx.summary.append("panel already present")
        return
    today, now = timezone.localdate(), timezone.now()
    patients = _patients(ctx, today)
    user = ctx.users.get("coordinator")
    for patient in patients:
        _seed_patient_order(org, patient, user, today)
    orders = list(
        TreatmentOrder.objects.filter(organization=org, patient__in=patients)
        .exclude(location=None)
        .select_related("patient", "drug", "location")
        .order_by("patient__mrn", "pk")
    )
    TreatmentOrder.objects.filter(pk__in=[o.pk for o in orders]).update(notes=ORDER_NOTE)
    consents = _consents(orders)
    _labs(orders, today)
    panel = _Panel(ctx, today, now)
    for order in orders:
        if order.status == TreatmentOrder.Status.ACTIVE:
            panel.order(order)
    stocked = _stock_for_the_panel(ctx, now)
    examples = _not_ready_examples(org, today)
    done = ", ".join(f"{n} {what}" for what, n in sorted(panel.counts.items()))
    ctx.summary.append(
        f"panel: {len(patients)} patients, {len(orders)} orders, {consents} consents, "
        f"{stocked} vial sizes stocked for them, "
        f"appointments {done}; not ready on the readiness board: {', '.join(examples)}"
    )
