"""Demo step: referrals in every state, walked through the real services (synthetic people).

Each case is a new person referred to the center; how far the case goes (intake, benefits,
authorization, first infusion, or closed with a reason) is its ``stage``. Dates are counted
back from today so the work queues always have something in them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from chairside.access.authorizations import services as access
from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.referrals import services as referrals
from chairside.access.referrals.models import Referral, ReferringProvider, TreatmentOrder
from chairside.demo import DemoContext
from chairside.demo.access import SPECIALTY_FOR, gets_order, pick_template, plan_for
from chairside.demo.foundation import register_by
from chairside.formulary.models import Drug
from chairside.patients import services as patients
from chairside.patients.models import Patient
from chairside.patients.selectors import latest_measurement
from chairside.rules.access import authorization_states as states
from chairside.rules.access import referral_states as rs


@dataclass(frozen=True)
class Case:
    stage: str  # how far the referral goes; see _walk
    days_ago: int  # received this many days ago
    urgent: bool = False
    reason: str = ""


CASES = [
    Case("received", 1, urgent=True),
    Case("received", 2),
    Case("received", 3),
    Case("received", 4),
    Case("received", 1),
    Case("intake", 9),
    Case("intake", 8),
    Case("intake", 7),
    Case("intake", 6),
    Case("to_submit", 14),
    Case("to_submit", 12),
    Case("to_submit", 13),
    Case("more_info", 20),
    Case("submitted_11", 24),
    Case("submitted_8", 21),
    Case("submitted_14", 27),
    Case("submitted_2", 12),
    Case(
        "denied", 35, reason="Step therapy: the plan requires a trial of a preferred agent first."
    ),
    Case("appeal", 40),
    Case("authorized", 16),
    Case("authorized", 19),
    Case("authorized", 22),
    Case("scheduled", 25),
    Case("scheduled", 28),
    Case("active", 34),
    Case("active", 38),
    Case("completed", 45),
    Case(
        "declined",
        10,
        reason="The plan covers this drug only by home infusion; sent to a home infusion pharmacy.",
    ),
    Case("declined", 18, reason="Patient chose a center closer to home."),
    Case("discontinued", 30, reason="Prescriber changed therapy to an oral agent."),
    Case("lost", 26, reason="Three calls and a letter, no answer."),
    Case("lost", 21, reason="Phone disconnected; the referring office has no new number."),
]
PA_STAGES = {
    "to_submit",
    "more_info",
    "submitted_2",
    "submitted_8",
    "submitted_11",
    "submitted_14",
    "denied",
    "appeal",
}


@dataclass(frozen=True)
class Candidate:
    """An established demo patient not on treatment, and the drug their diagnosis calls for."""

    patient: Patient
    code: str
    drug: Drug
    words: str
    needs_pa: bool
    fixed_course: bool


def _candidates(org: Any) -> list[Candidate]:
    found = []
    patients = Patient.objects.filter(organization=org, mrn__startswith="DEMO-1").order_by("mrn")
    for patient in patients.prefetch_related("diagnoses", "coverages__payer"):
        dx = next((d for d in patient.diagnoses.all() if d.is_primary), None)
        primary = next((c for c in patient.coverages.all() if c.order == 1), None)
        if gets_order(patient.mrn) or dx is None or primary is None:
            continue
        if primary.payer.kind == "self_pay":
            continue
        plan = plan_for(dx.icd10_code)
        if not plan:
            continue
        rng = random.Random(f"riverside-referral-{patient.mrn}")
        key, words, _ = rng.choices(plan, weights=[p[2] for p in plan])[0]
        drug = Drug.objects.get(organization=org, key=key)
        template = pick_template(drug, words, Decimal(70))
        found.append(
            Candidate(
                patient=patient,
                code=dx.icd10_code,
                drug=drug,
                words=words,
                needs_pa=drug.prior_auth_usually_required and primary.payer.kind != "medicare_b",
                fixed_course=template.maintenance_interval_days is None,
            )
        )
    return found


def _pick(case: Case, pool: list[Candidate]) -> Candidate | None:
    def fits(c: Candidate) -> bool:
        if case.stage in PA_STAGES or case.stage in ("authorized", "scheduled", "active"):
            return c.needs_pa and not c.fixed_course
        if case.stage == "completed":
            return c.fixed_course
        return True

    chosen = next((c for c in pool if fits(c)), None)
    if chosen is not None:
        pool.remove(chosen)
    return chosen


def demo_pdf(text: str) -> bytes:
    """A one-page PDF saying ``text`` (a stand-in for a faxed referral form)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _provider(org: Any, code: str) -> ReferringProvider:
    specialty = SPECIALTY_FOR.get(code[:2], "Rheumatology")
    return (
        ReferringProvider.objects.filter(organization=org, specialty=specialty, is_internal=False)
        .order_by("npi")
        .first()
        or ReferringProvider.objects.filter(organization=org).order_by("npi")[0]
    )


def _receive(ctx: DemoContext, case: Case, who: Candidate, n: int, today: dt.date) -> Referral:
    """Log the referral as the fax gave it: the patient's name and birth date, not linked."""
    org, user = ctx.organizations["riverside"], ctx.users["coordinator"]
    patient = who.patient
    referral = referrals.referral_create(
        organization=org,
        user=user,
        received_on=today - dt.timedelta(days=case.days_ago),
        referring_provider=_provider(org, who.code),
        patient_first_name=patient.first_name,
        patient_last_name=patient.last_name,
        patient_date_of_birth=patient.date_of_birth,
        patient_phone=patient.phone,
        requested_drug=who.drug,
        diagnosis_code=who.code,
        clinical_notes="Demo referral. Inadequate response to conventional therapy.",
        labs_received="TB (IGRA) negative; hepatitis B panel negative" if n % 3 else "",
        is_urgent=case.urgent,
        location=patient.home_location,
    )
    if n % 4 == 1:
        upload = SimpleUploadedFile(
            "referral.pdf",
            demo_pdf(f"DEMO referral form - {patient.first_name} {patient.last_name}"),
        )
        referrals.referral_document_add(
            referral=referral, user=user, upload=upload, kind="referral", title="Referral form"
        )
    return referral


def _intake(ctx: DemoContext, referral: Referral, who: Candidate) -> TreatmentOrder:
    """Link the chart, enter the order from the referral, complete intake the next day."""
    org, user = ctx.organizations["riverside"], ctx.users["coordinator"]
    received = referral.received_on
    patient = who.patient
    referrals.referral_update(referral=referral, user=user, patient=patient)
    measurement = latest_measurement(patient)
    weight = measurement.weight_kg if measurement else Decimal(70)
    # The template carries the label's weight bands (IV ustekinumab, abatacept).
    order = referrals.order_create(
        organization=org,
        user=user,
        patient=patient,
        referral=referral,
        drug=who.drug,
        regimen_template=pick_template(who.drug, who.words, weight),
        ordering_provider=referral.referring_provider,
        signed_on=received,
        diagnoses=list(patient.diagnoses.all()),
    )
    referrals.referral_transition(
        referral=referral,
        user=user,
        to_state=rs.INTAKE_COMPLETE,
        on_date=received + dt.timedelta(days=1),
    )
    return order


def _verify(ctx: DemoContext, order: TreatmentOrder, referral: Referral) -> None:
    user = ctx.users["coordinator"]
    on = referral.received_on + dt.timedelta(days=3)
    for check in order.benefits.select_related("coverage__payer"):
        medicare = check.coverage.payer.kind == "medicare_b"
        secondary = check.coverage.order > 1
        access.benefits_verify(
            investigation=check,
            user=user,
            verified_on=on,
            coverage_active=True,
            pa_required="no" if medicare or secondary else "yes",
            deductible=Decimal(283) if medicare else Decimal(0 if secondary else 1500),
            deductible_met=Decimal(0) if medicare else Decimal(0 if secondary else 400),
            out_of_pocket_max=None if medicare or secondary else Decimal(6000),
            coinsurance_percent=Decimal(20) if medicare else Decimal(0 if secondary else 20),
            covers_primary_deductible=not secondary,
            reference_number=f"DEMO-CALL-{order.pk:05d}",
        )


def _pa(order: TreatmentOrder) -> PriorAuthorization | None:
    return order.authorizations.exclude(status=states.NOT_REQUIRED).order_by("-created_at").first()


def _authorize(
    ctx: DemoContext, order: TreatmentOrder, case: Case, stage: str, today: dt.date
) -> None:
    user = ctx.users["coordinator"]
    auth = _pa(order)
    if auth is None or stage == "to_submit":
        return
    received = order.referral.received_on  # type: ignore[union-attr]
    sent = received + dt.timedelta(days=4)
    if stage.startswith("submitted_"):
        sent = today - dt.timedelta(days=int(stage.split("_")[1]))
    access.authorization_transition(
        authorization=auth, user=user, to_status=states.SUBMITTED, on_date=sent
    )
    if stage.startswith("submitted_"):
        return
    if stage == "more_info":
        access.authorization_transition(
            authorization=auth,
            user=user,
            to_status=states.MORE_INFO,
            on_date=today - dt.timedelta(days=3),
            reason="Payer wants the last two office notes and the colonoscopy report.",
        )
        return
    if stage in ("denied", "appeal"):
        decided = sent + dt.timedelta(days=9)
        access.authorization_transition(
            authorization=auth,
            user=user,
            to_status=states.DENIED,
            on_date=decided,
            reason=case.reason or "Not medically necessary per payer policy.",
            appeal_deadline=decided + dt.timedelta(days=180),
        )
        if stage == "appeal":
            access.authorization_transition(
                authorization=auth,
                user=user,
                to_status=states.APPEAL_SUBMITTED,
                on_date=today - dt.timedelta(days=9),
                reason="Letter of medical necessity attached.",
            )
        return
    _approve(ctx, order, auth, sent + dt.timedelta(days=5))


def _approve(
    ctx: DemoContext, order: TreatmentOrder, auth: PriorAuthorization, on: dt.date
) -> None:
    units = order.units_per_dose_hint or 1
    access.authorization_transition(
        authorization=auth,
        user=ctx.users["coordinator"],
        to_status=states.APPROVED,
        on_date=on,
        authorization_number=f"DEMO-PA-{5000000 + order.pk}",
        start_on=on,
        end_on=on + dt.timedelta(days=182),
        visits_authorized=6,
        units_authorized=units * 6 + 10,
    )


def _treat(
    ctx: DemoContext, order: TreatmentOrder, referral: Referral, stage: str, today: dt.date
) -> None:
    user = ctx.users["coordinator"]
    first = (
        today + dt.timedelta(days=5)
        if stage in ("authorized", "scheduled")
        else today - dt.timedelta(days=12)
    )
    if stage == "completed":
        first = today - dt.timedelta(days=20)
    if stage != "authorized":  # authorized: the first dose is planned when it is booked
        order = referrals.order_update(order=order, user=user, first_dose_on=first)
    for lab in order.required_labs.all():
        patients.lab_result_record(
            patient=order.patient,
            user=user,
            lab_name=lab.name,
            result_on=referral.received_on,
            interpretation="negative",
            value="demo",
        )
    if stage in ("authorized",):
        return
    referrals.referral_transition(
        referral=referral,
        user=user,
        to_state=rs.SCHEDULED,
        on_date=min(today, referral.state_changed_on + dt.timedelta(days=2)),
    )
    if stage == "scheduled":
        return
    for number, day in enumerate(order.planned_dates(), start=1):
        if day >= today:
            break
        access.authorization_consume(
            source_type="demo.treatment",
            source_id=f"{order.public_id}-{number}",
            user=user,
            order=order,
            on_date=day,
            units=order.units_per_dose_hint or 1,
        )
    # The first documented dose has made the referral active (authorization_consume).
    if stage == "completed":
        referrals.order_set_status(order=order, user=user, status="completed")
        referral.refresh_from_db()
        referrals.referral_transition(
            referral=referral,
            user=user,
            to_state=rs.COMPLETED,
            on_date=first + dt.timedelta(days=7),
        )


CLOSE = {"declined": rs.DECLINED, "discontinued": rs.DISCONTINUED, "lost": rs.LOST}


def _walk(ctx: DemoContext, case: Case, who: Candidate, n: int, today: dt.date) -> None:
    user = ctx.users["coordinator"]
    referral = _receive(ctx, case, who, n, today)
    closing = CLOSE.get(case.stage)
    if case.stage == "received":
        return
    if closing and case.stage == "declined":
        on = referral.received_on + dt.timedelta(days=2)
        referrals.referral_transition(
            referral=referral, user=user, to_state=closing, reason=case.reason, on_date=on
        )
        return
    order = _intake(ctx, referral, who)
    if case.stage == "intake":
        return  # just typed in from the fax: it waits in the physician's "To sign" queue
    referrals.order_sign(order=order, user=ctx.users["physician"])
    _verify(ctx, order, referral)
    referral.refresh_from_db()
    if closing:
        on = referral.state_changed_on + dt.timedelta(days=3)
        referrals.referral_transition(
            referral=referral, user=user, to_state=closing, reason=case.reason, on_date=on
        )
        return
    _authorize(ctx, order, case, case.stage, today)
    referral.refresh_from_db()
    if case.stage in ("authorized", "scheduled", "active", "completed"):
        _treat(ctx, order, referral, case.stage, today)


@transaction.atomic
def seed_pipeline(ctx: DemoContext) -> None:
    """A referral in every state (and every authorization status) for the work queues.

    The referred people are established demo patients not yet on treatment, chosen the
    same way on every run; a case whose patient already has a referral is skipped.
    """
    org = ctx.organizations["riverside"]
    today = timezone.localdate()
    pool = _candidates(org)
    made = 0
    for n, case in enumerate(CASES, start=1):
        who = _pick(case, pool)
        if (
            who is None
            or Referral.objects.filter(
                organization=org,
                patient_last_name=who.patient.last_name,
                patient_first_name=who.patient.first_name,
                patient_date_of_birth=who.patient.date_of_birth,
            ).exists()
        ):
            continue
        _walk(ctx, case, who, n, today)
        register_by(who.patient, today - dt.timedelta(days=case.days_ago))  # by its referral
        made += 1
    ctx.summary.append(f"{len(CASES)} pipeline referrals ({made} new)")
