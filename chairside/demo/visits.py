"""Demo step: chair-side visits — signed records with their reports for the demo center's
completed appointments, and one or two visits in progress today (synthetic data only).

Each past visit is documented through the visit services (checks, vitals, preparation,
administration, discharge), on the appointment's own day and times. Two things were already
written by earlier demo steps and are not written again: the authorization use of past doses
(the access step's "demo.treatment" usage) and the stock history (the inventory step
dispensed each dose and recorded its waste). So the past visits reuse the inventory step's
dispense of their dose when there is one, and are signed by ``_sign_history`` — the sign-off
of ``treatments.services.visit_sign`` without those two side effects. Reports: most were sent
the same day, the last day's are still waiting (within 24 hours), and one is late.

Today, visits are started through ``visit_start`` for patients the schedule has checked in
(or checked in here, through the scheduling service, early in the day) and walked part way.
Rows are found by natural keys (a visit per appointment, a consent per patient and drug), so
running the step twice adds nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import random
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from chairside.demo import DemoContext
from chairside.formulary.models import Drug
from chairside.inventory.models import Lot, Movement
from chairside.inventory.services import dispense_suggestion
from chairside.rules.clinical.visit_checks import (
    TOUCH_CONFIRMATIONS,
    TOUCH_QUESTIONS,
    consent_expires_on,
)
from chairside.rules.scheduling import appointment_states as states
from chairside.scheduling.models import Appointment, NurseShift
from chairside.scheduling.services import appointment_check_in
from chairside.tenancy.models import StaffMember
from chairside.treatments import selectors, services
from chairside.treatments.events import visit_signed
from chairside.treatments.models import Consent, Visit, VisitReport
from chairside.treatments.services.preparation import _record_cosign
from chairside.treatments.services.signing import _record_waste

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HISTORY_DAYS = 14
PANEL = "Demo panel"  # the notes of the panel's appointments (demo/panel.py)
SEED = "riverside-visits"
PREMED_KEY = "diphenhydramine-inj"  # formulary premedication given IV for a reaction


def demo_signature(name: str) -> str:
    """A made-up scribble standing in for a drawn signature (demo only)."""
    rng = random.Random(name)
    image = Image.new("RGBA", (480, 120), (0, 0, 0, 0))
    points = [(20 + i * 40, 60 + rng.randint(-35, 35)) for i in range(11)]
    ImageDraw.Draw(image).line(points, fill=(20, 20, 60, 255), width=3, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _at(visit: Visit, base: dt.datetime, minutes: int) -> dt.datetime:
    return base + dt.timedelta(minutes=minutes)


def _consent(visit: Visit, nurse: StaffMember | None) -> None:
    drug = visit.order.drug
    if Consent.objects.filter(patient=visit.patient, drug=drug, revoked_at=None).exists():
        return
    signed_on = min(visit.order.first_dose_on or visit.date, visit.date)
    Consent.objects.create(
        organization=visit.organization,
        patient=visit.patient,
        drug=drug,
        order=visit.order,
        signer_name=visit.patient.full_name,
        signature=demo_signature(visit.patient.mrn),
        risks_discussed="Infusion reactions, infections, benefits and alternatives (demo).",
        explained_by=nurse,
        signed_at=dt.datetime.combine(signed_on, dt.time(9), tzinfo=visit.location.tz),
        signed_on=signed_on,
        expires_on=consent_expires_on(signed_on),
    )


class _Visits:
    def __init__(self, ctx: DemoContext, rng: random.Random) -> None:
        self.ctx, self.rng = ctx, rng
        self.org = ctx.organizations["riverside"]
        self.nurse_user = ctx.users["nurse"]
        self.counts: Counter[str] = Counter()
        staff = StaffMember.objects.filter(organization=self.org, is_active=True)
        self.checkers = list(
            staff.filter(credential__in=["RN", "LPN", "PharmD"]).select_related("user")
        )
        self.providers = list(staff.filter(credential__in=sorted(StaffMember.PRESCRIBERS)))

    def provider(self, visit: Visit) -> StaffMember | None:
        on_site = [p for p in self.providers if p.home_location_id == visit.location_id]
        return self.rng.choice(on_site or self.providers) if self.providers else None

    # --- the steps, as a nurse documents them ----------------------------------------

    def checks(self, visit: Visit, start: dt.datetime) -> Visit:
        _consent(visit, visit.nurse)
        weight = visit.order.weight_kg_at_order or Decimal(70)
        fields: dict[str, Any] = {
            "identifiers": ["name", "dob"],
            "allergies_reviewed": True,
            # The allergy check needs a status on the chart: the patient states none.
            "no_known_allergies": not (
                visit.patient.no_known_allergies or visit.patient.allergies.exists()
            ),
            "weight_kg": (Decimal(weight) * Decimal(self.rng.uniform(0.97, 1.03))).quantize(
                Decimal("0.1")
            ),
            "labs_cleared_by": "" if not selectors.labs_due_messages(visit) else "Dr. Marsh (demo)",
        }
        if visit.order.premedications:
            fields["premeds_given"] = visit.order.premedications[:255]
            fields["premeds_at"] = _at(visit, start, 5)
        if selectors.program_required(visit):
            fields["program_answers"] = {
                **dict.fromkeys(TOUCH_CONFIRMATIONS, "yes"),
                **dict.fromkeys(TOUCH_QUESTIONS, "no"),
            }
        visit = services.visit_update(visit=visit, user=self.nurse_user, **fields)
        self.vitals(visit, "pre", _at(visit, start, 3))
        return visit

    def vitals(self, visit: Visit, phase: str, at: dt.datetime) -> None:
        services.vitals_record(
            visit=visit,
            user=self.nurse_user,
            phase=phase,
            taken_at=at,
            systolic=self.rng.randint(108, 138),
            diastolic=self.rng.randint(64, 86),
            pulse=self.rng.randint(60, 92),
            temperature_c=Decimal(self.rng.choice(["36.5", "36.7", "36.8", "36.9", "37.0"])),
            spo2=self.rng.randint(95, 99),
            respiratory_rate=self.rng.randint(12, 18),
        )

    def picks(self, visit: Visit, history: bool) -> list[tuple[Lot, int]] | list[Movement]:
        """The inventory step's dispense of this dose (history), else lots to dispense now."""
        if history:
            return _history_dispense(visit.order_id, visit.dose_number)
        plan = selectors.dose_plan(visit)
        if plan.dose_mg is None:
            return []

        try:
            return dispense_suggestion(
                organization=self.org,
                location=visit.location,
                dose_mg=plan.dose_mg,
                patient=visit.patient,
                drug=visit.order.drug,
                today=visit.date,
            )
        except ValidationError:
            return []

    def prepare(self, visit: Visit, start: dt.datetime, *, history: bool) -> bool:
        picks = self.picks(visit, history)
        if not picks:
            return False
        if isinstance(picks[0], Movement):
            services.preparation_attach(visit=visit, user=self.nurse_user, movements=picks)
        else:
            services.preparation_dispense(visit=visit, user=self.nurse_user, picks=picks)
        prep = selectors.preparation_of(visit)
        assert prep is not None
        dose = min(prep.dose_mg, prep.opened_mg)
        volume = Decimal(100) if dose < 500 else Decimal(250)
        services.preparation_save(
            visit=visit,
            user=self.nurse_user,
            dose_mg=dose,
            diluent="0.9% sodium chloride",
            bag_volume_ml=volume,
            final_volume_ml=volume,
            prepared_at=_at(visit, start, 15),
            prepared_by=visit.nurse,
            notes="" if dose == prep.dose_mg else "Dose rounded to the vials on hand (demo).",
        )
        prep.refresh_from_db()
        self.cosign(visit, prep)
        return True

    def cosign(self, visit: Visit, prep: Any) -> None:
        """The double check by a second nurse or pharmacist on the rota at the site that day,
        through the co-sign's own recording (``_record_cosign``: every rule of
        ``rules.clinical.double_check``, audited as the checker's action). The demo skips only the
        typing of her password on the device: the demo users' password is published."""
        on_shift = set(
            NurseShift.objects.filter(location=visit.location, date=visit.date).values_list(
                "staff_id", flat=True
            )
        )
        candidates = [
            s
            for s in self.checkers
            if s.user_id is not None
            and s.pk in on_shift
            and s.pk != prep.prepared_by_id
            and s.user_id != self.nurse_user.pk
        ]
        self.rng.shuffle(candidates)
        problem = "No second nurse or pharmacist on the rota here that day checks the dose."
        for staff in candidates:
            checker = staff.user
            if checker is None:  # never: the candidates above have a log-in
                continue
            try:
                with transaction.atomic():
                    _record_cosign(visit=visit, user=self.nurse_user, checker_user=checker)
                return
            except ValidationError as exc:
                problem = exc.messages[0]
        raise ValidationError(problem)

    def administer(self, visit: Visit, start: dt.datetime, *, end: dt.datetime | None) -> None:
        """Start at the chair time; titrate; a mild reaction now and then; stop at ``end``."""
        admin = services.administration_start(
            visit=visit,
            user=self.nurse_user,
            started_at=_at(visit, start, 25),
            rate_ml_h=Decimal(50),
            site=self.rng.choice(["L forearm", "R forearm", "L antecubital", "R hand"]),
        )
        services.administration_rate(
            administration=admin,
            user=self.nurse_user,
            at=_at(visit, start, 40),
            rate_ml_h=Decimal(125),
        )
        if end is None:
            return
        if end - start > dt.timedelta(minutes=100) and self.rng.random() < 0.12:
            self.mild_reaction(visit, admin, start)
            self.antihistamine_push(visit, start)
        services.administration_stop(administration=admin, user=self.nurse_user, stopped_at=end)

    def antihistamine_push(self, visit: Visit, start: dt.datetime) -> None:
        """The reaction's diphenhydramine 25 mg IV from the center's stock: billed (J1200 and
        an IV push code), unlike the oral premedications recorded at check-in."""
        if not Drug.objects.filter(
            organization=visit.organization, key=PREMED_KEY, premedication=True
        ).exists():
            return
        push = services.administration_start(
            visit=visit,
            user=self.nurse_user,
            started_at=_at(visit, start, 52),
            method="push",
            premedication=PREMED_KEY,
            dose_given_mg=Decimal(25),
        )
        services.administration_stop(
            administration=push, user=self.nurse_user, stopped_at=_at(visit, start, 54)
        )

    def mild_reaction(self, visit: Visit, admin: Any, start: dt.datetime) -> None:
        onset = _at(visit, start, 50)
        services.administration_pause(
            administration=admin, user=self.nurse_user, started_at=onset, reason="Flushing, itching"
        )
        reaction = services.reaction_record(
            visit=visit,
            user=self.nurse_user,
            onset_at=onset,
            grade=2,
            signs=["flushing", "itching"],
            actions=["paused", "antihistamine"],
            actions_other="Diphenhydramine 25 mg IV (demo)",
            provider_notified=self.provider(visit),
            notified_at=_at(visit, start, 52),
        )
        # "Resumed" ends the pause, at half the rate it ran at (125 mL/h before the onset).
        services.reaction_outcome(
            reaction=reaction,
            user=self.nurse_user,
            outcome="resumed",
            outcome_at=_at(visit, start, 70),
            resume_rate_ml_h=Decimal("62.5"),
        )
        self.counts["with a grade 2 reaction"] += 1

    def discharge(self, visit: Visit, stop: dt.datetime) -> None:
        minutes = visit.order.drug.observation_minutes
        leave = stop + dt.timedelta(minutes=max(minutes, 5) + 5)
        self.vitals(visit, "post", leave - dt.timedelta(minutes=5))
        services.visit_discharge(
            visit=visit,
            user=self.nurse_user,
            discharged_at=leave,
            condition="stable",
            supervising_provider=self.provider(visit),
        )

    # --- a whole past visit ----------------------------------------------------------

    def past(self, appointment: Appointment) -> None:
        if not _history_dispense(appointment.order_id, appointment.dose_number):
            # The stock history has no dispense for this dose (a drug without a verified
            # NDC, or no inventory history at all): the appointment stays undocumented.
            self.counts["without a dispense in the stock history"] += 1
            return
        start = appointment.start
        visit = self.checks(_history_visit(appointment), start)
        self.prepare(visit, start, history=True)
        duration = visit.order.drug.subsequent_infusion_minutes or 60
        stop = _at(visit, start, 25 + duration)
        self.administer(visit, start, end=stop)
        self.discharge(visit, stop)
        waste = not Movement.objects.filter(
            kind="waste", visit_ref=f"DEMO-{visit.order_id}-{visit.dose_number}"
        ).exists()
        _sign_history(visit, self.nurse_user, waste=waste)
        self.counts["signed"] += 1

    def today(self, appointment: Appointment, now: dt.datetime) -> None:
        """Start today's visit through the services and walk it as far as the clock allows."""

        if appointment.status in {states.BOOKED, states.CONFIRMED}:
            appointment_check_in(appointment=appointment, user=self.nurse_user)
            appointment.refresh_from_db()
        visit = services.visit_start(appointment=appointment, user=self.nurse_user)
        start = appointment.start
        if start > now - dt.timedelta(minutes=30):
            self.counts["started today (checks to do)"] += 1
            return
        visit = self.checks(visit, start)
        if self.prepare(visit, start, history=False):
            self.administer(visit, start, end=None)
        self.counts["in progress (infusing)"] += 1


def _history_dispense(order_id: int, dose_number: int) -> list[Movement]:
    """The inventory demo step's dispense of a dose (its ``visit_ref`` names order and dose)."""
    ref = f"DEMO-{order_id}-{dose_number}"
    return list(Movement.objects.filter(kind="dispense", visit_ref=ref).select_related("lot"))


def _over(appointment: Appointment, now: dt.datetime) -> bool:
    """Long enough ago that the whole documented visit (infusion, observation) is past."""
    drug = appointment.order.drug
    minutes = 45 + (drug.subsequent_infusion_minutes or 60) + drug.observation_minutes
    return appointment.start + dt.timedelta(minutes=minutes) <= now


def _history_visit(appointment: Appointment) -> Visit:
    """The visit of a completed appointment, written as history (its day is over)."""
    visit = Visit.objects.create(
        organization=appointment.organization,
        appointment=appointment,
        patient=appointment.patient,
        order=appointment.order,
        location=appointment.location,
        chair=appointment.chair,
        nurse=appointment.nurse,
        date=appointment.local_start().date(),
        dose_number=appointment.dose_number,
        started_at=appointment.checked_in_at or appointment.start,
    )
    return visit


def _sign_history(visit: Visit, user: User, *, waste: bool) -> None:
    """``visit_sign`` for a past demo visit: the earlier demo steps already used the
    authorization and (usually) recorded the stock waste, so those are not written twice."""
    visit.refresh_from_db()
    missing = selectors.visit_missing(visit)
    if missing:
        raise ValidationError([m for _, m in missing])
    if waste:
        _record_waste(visit, user)
    visit.status = Visit.Status.SIGNED
    visit.signed_at = (visit.discharged_at or timezone.now()) + dt.timedelta(minutes=4)
    visit.signed_by = user
    visit.signed_by_name = str(visit.nurse or user)
    visit.save()
    report = services.report_queue(visit=visit, user=user, with_pdf=False)
    # The report goes out the same day (e-mail, or a person faxes it), unless marked otherwise.
    report.due_at = visit.signed_at + dt.timedelta(hours=24)
    report.status, report.sent_at = VisitReport.Status.SENT, visit.signed_at + dt.timedelta(hours=2)
    report.sent_note = "Demo: sent the same day."
    report.save()
    visit_signed(visit, user)


def _pending_and_late(reports: Any, now: dt.datetime) -> None:
    """Of the reports just made: the last day's still wait (within 24 h); one is late."""
    recent = reports.filter(visit__signed_at__gte=now - dt.timedelta(hours=20))
    # E-mail goes out by itself; fax and portal reports wait for a person.
    recent.exclude(channel="email").filter(sent_note="Demo: sent the same day.").update(
        status=VisitReport.Status.QUEUED, sent_at=None, sent_note=""
    )
    older = (
        reports.filter(
            channel="fax",
            sent_note="Demo: sent the same day.",
            due_at__lt=now - dt.timedelta(hours=6),
        )
        .order_by("-due_at")
        .first()
    )
    if older is not None:
        older.status, older.sent_at, older.sent_note = VisitReport.Status.QUEUED, None, ""
        older.last_error = "Fax line busy twice (demo)."
        older.save()


@transaction.atomic
def seed_visits(ctx: DemoContext) -> None:
    org = ctx.organizations["riverside"]
    now = timezone.now()
    today = timezone.localdate()
    seeder = _Visits(ctx, random.Random(SEED))
    before = set(VisitReport.objects.filter(organization=org).values_list("pk", flat=True))
    past = (
        Appointment.objects.filter(
            organization=org,
            visit__isnull=True,
            status=states.COMPLETED,
            start__gte=now - dt.timedelta(days=HISTORY_DAYS),
            end__lte=now,
        )
        .exclude(notes__startswith=PANEL)
        .select_related("patient", "order__drug", "location", "chair", "nurse")
        .order_by("start")
    )
    for appointment in past:
        if not _over(appointment, now):
            continue  # still going on: the nurses' work in progress
        # Each visit draws from its own seed: a visit left undocumented by a refusal stays
        # so on the next run, instead of coming out differently because the visits before
        # it (signed by the first run) no longer draw from a shared sequence.
        seeder.rng = random.Random(f"{SEED}-{appointment.public_id}")
        try:
            with transaction.atomic():
                seeder.past(appointment)
        except ValidationError as exc:
            seeder.counts[f"not documented ({exc.messages[0][:40]})"] += 1
    made = VisitReport.objects.filter(organization=org).exclude(pk__in=before)
    _pending_and_late(made, now)
    for appointment in _today_candidates(org, today, now):
        seeder.rng = random.Random(f"{SEED}-{appointment.public_id}")
        seeder.today(appointment, now)
    done = ", ".join(f"{n} {what}" for what, n in sorted(seeder.counts.items()))
    ctx.summary.append(f"visits: {done or 'none'}")


def _today_candidates(org: Any, today: dt.date, now: dt.datetime) -> list[Appointment]:
    if Visit.objects.filter(organization=org, date=today).exists():
        return []  # today's visits were started by an earlier run
    live = Appointment.objects.filter(
        organization=org,
        visit__isnull=True,
        start__date__gte=today - dt.timedelta(days=1),
        start__lte=now + dt.timedelta(hours=12),
    )
    # The panel's volume (demo/panel.py, placed after this step) is left alone, so that a
    # second run finds the same candidates as the first.
    live = live.exclude(notes__startswith=PANEL).select_related(
        "location", "patient", "order__drug", "chair", "nurse"
    )
    todays = [a for a in live if a.local_start().date() == today]
    started = [a for a in todays if a.status in {states.CHECKED_IN, states.IN_CHAIR}]
    if started:
        return started[:2]
    upcoming = [a for a in todays if a.status in {states.BOOKED, states.CONFIRMED}]
    return sorted(upcoming, key=lambda a: a.start)[:1]
