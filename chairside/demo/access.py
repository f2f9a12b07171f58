"""Demo step: referring providers, treatment orders, benefits, prior authorizations, labs,
and a referral pipeline with a referral in every state (synthetic data only).

Established patients get an order matching their diagnosis, started some weeks ago, with
verified benefits, an approved authorization (most of them) and the doses given so far.
The pipeline referrals go through the real services, so their history and audit trail are
what the pages produce. Rows are found by natural keys; running it twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from chairside.access.authorizations.models import (
    AuthorizationUsage,
    BenefitsInvestigation,
    PriorAuthorization,
)
from chairside.access.referrals.models import (
    OrderLab,
    ReferringProvider,
    TreatmentOrder,
    default_expiry,
)
from chairside.demo import DemoContext
from chairside.demo.foundation import demo_npi, register_by
from chairside.formulary.models import Drug, RegimenTemplate
from chairside.patients.models import Coverage, LabResult, Patient
from chairside.patients.selectors import latest_measurement
from chairside.rules.access import authorization_states as states
from chairside.tenancy.models import Membership, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# (first, last, credential, specialty, practice, internal, report by)
PROVIDERS = [
    ("Elena", "Marsh", "MD", "Rheumatology", "Riverside Infusion Partners", True, "portal"),
    ("Samuel", "Okafor", "MD", "Gastroenterology", "Riverside Infusion Partners", True, "portal"),
    ("Priya", "Raman", "NP", "Infusion medicine", "Riverside Infusion Partners", True, "portal"),
    ("Helen", "Vasquez", "MD", "Neurology", "Lakeside Neurology Associates (demo)", False, "fax"),
    ("Marcus", "Bell", "DO", "Gastroenterology", "Valley GI Group (demo)", False, "fax"),
    (
        "Irene",
        "Kowalski",
        "MD",
        "Rheumatology",
        "Northside Arthritis Clinic (demo)",
        False,
        "email",
    ),
    ("Daniel", "Ferreira", "MD", "Hematology", "County Hematology (demo)", False, "fax"),
    ("Linh", "Tran", "MD", "Endocrinology", "Bone & Metabolic Center (demo)", False, "mail"),
    ("Robert", "Osei", "MD", "Immunology", "Allergy & Immunology Partners (demo)", False, "fax"),
]
SPECIALTY_FOR = {
    "K5": "Gastroenterology",
    "M0": "Rheumatology",
    "L4": "Rheumatology",
    "M3": "Rheumatology",
    "M4": "Rheumatology",
    "G3": "Neurology",
    "D5": "Hematology",
    "M8": "Endocrinology",
    "D8": "Immunology",
}

# ICD-10 prefix → (drug key, words in the regimen name, weight): drugs labelled for it.
PLAN: dict[str, list[tuple[str, str, int]]] = {
    "K50": [("infliximab", "Crohn", 5), ("vedolizumab", "", 3), ("ustekinumab-iv", "", 1)],
    "K51": [("infliximab", "Crohn", 4), ("vedolizumab", "", 4)],
    "M06": [
        ("tocilizumab-iv", "starting", 3),
        ("abatacept-iv", "", 3),
        ("rituximab", "", 2),
        ("golimumab-iv", "", 2),
        ("infliximab", "Rheumatoid", 2),
    ],
    "M05": [("abatacept-iv", "", 2), ("tocilizumab-iv", "starting", 2), ("rituximab", "", 1)],
    "L40.5": [("golimumab-iv", "", 3), ("infliximab", "Psoriatic", 2)],
    "L40.0": [("infliximab", "Psoriatic", 1)],
    "G35": [("ocrelizumab", "", 4), ("natalizumab", "", 2)],
    "D50": [("ferric-carboxymaltose", "two doses", 1)],
    "M81": [("zoledronic-acid", "Osteoporosis", 2), ("denosumab", "", 3)],
    "D83": [("ivig-privigen", "Primary humoral", 1)],
    "M32": [("belimumab-iv", "", 1)],
    "M45": [("infliximab", "Ankylosing", 2), ("golimumab-iv", "", 1)],
}
ORDER_SHARE = 0.72


def plan_for(code: str) -> list[tuple[str, str, int]]:
    for prefix in sorted(PLAN, key=len, reverse=True):
        if code.startswith(prefix):
            return PLAN[prefix]
    return []


def _referring_npi(org: Any, n: int, first: str, last: str, internal: bool) -> str:
    """One NPI per person: the center's own physicians and NPs refer under the NPI of their
    staff record (the one on the claims they render); outside providers get a made-up one."""
    if internal:
        staff = StaffMember.objects.filter(
            organization=org, first_name=first, last_name=last
        ).exclude(npi="")
        if staff.exists():
            return staff.values_list("npi", flat=True)[0]
    return demo_npi(30000000 + n)


@transaction.atomic
def seed_referring_providers(ctx: DemoContext) -> None:
    org = ctx.organizations["riverside"]
    made = 0
    for n, (first, last, cred, specialty, practice, internal, report) in enumerate(PROVIDERS, 1):
        npi = _referring_npi(org, n, first, last, internal)
        provider, created = ReferringProvider.objects.get_or_create(
            organization=org,
            first_name=first,
            last_name=last,
            defaults={
                "npi": npi,
                "credential": cred,
                "specialty": specialty,
                "practice_name": practice,
                "is_internal": internal,
                "report_preference": report,
                "phone": f"(555) 020-{1000 + n}",
                "fax": f"(555) 020-{2000 + n}",
                "email": f"{first.lower()}.{last.lower()}@example.org",
            },
        )
        if provider.npi != npi:  # a demo loaded before the NPIs were made one per person
            provider.npi = npi
            provider.save(update_fields=["npi"])
        made += created
    ctx.summary.append(f"{len(PROVIDERS)} referring providers ({made} new)")


def _provider_for(org: Any, code: str, rng: random.Random) -> ReferringProvider:
    specialty = SPECIALTY_FOR.get(code[:2], "Rheumatology")
    choices = list(ReferringProvider.objects.filter(organization=org, specialty=specialty))
    return rng.choice(choices) if choices else ReferringProvider.objects.filter(organization=org)[0]


def pick_template(drug: Drug, words: str, weight: Decimal) -> RegimenTemplate:
    templates = list(drug.regimens.all())
    if drug.key == "ferric-carboxymaltose":
        words = "≥50 kg" if weight >= 50 else "<50 kg"
    return next((t for t in templates if words in t.name), templates[0])


def _units(dose: Decimal, drug: Drug) -> int:
    return int((dose / drug.billing_unit_mg).to_integral_value(rounding=ROUND_CEILING))


def _physician(org: Any) -> Any:
    """The demo physician's log-in (``order.sign``), who signed the established orders (read
    once per seeding run: kept on the organization object the run holds)."""

    if "_demo_physician" not in org.__dict__:
        member = Membership.objects.filter(organization=org, role="provider").first()
        org.__dict__["_demo_physician"] = member.user if member is not None else None
    return org.__dict__["_demo_physician"]


def _drug(org: Any, key: str) -> Drug:
    """The formulary's drug with its regimens and required labs, read once per seeding run
    (kept on the organization object the run holds; the formulary is seeded before)."""
    drugs: dict[str, Drug] = org.__dict__.setdefault("_demo_drugs", {})
    if key not in drugs:
        drugs[key] = Drug.objects.prefetch_related("regimens", "required_labs").get(
            organization=org, key=key
        )
    return drugs[key]


def _new_order(
    org: Any, patient: Patient, code: str, rng: random.Random, today: dt.date
) -> TreatmentOrder | None:
    plan = plan_for(code)
    if not plan:
        return None
    key, words, _ = rng.choices(plan, weights=[p[2] for p in plan])[0]
    drug = _drug(org, key)
    measurement = latest_measurement(patient)
    weight = measurement.weight_kg if measurement else Decimal(70)
    template = pick_template(drug, words, weight)
    fixed = template.maintenance_interval_days is None
    weeks_on = rng.randint(0, 5) if fixed else rng.randint(1, 47)
    first = today - dt.timedelta(weeks=weeks_on, days=rng.randint(0, 6))
    signed = first - dt.timedelta(days=rng.randint(5, 20))
    order = TreatmentOrder(
        organization=org,
        patient=patient,
        drug=drug,
        regimen_template=template,
        regimen_name=template.name,
        loading_days=list(template.loading_days),
        maintenance_interval_days=template.maintenance_interval_days,
        dose_mg=template.dose_mg,
        dose_mg_per_kg=template.dose_mg_per_kg,
        dose_max_mg=template.dose_max_mg,
        dose_bands=template.dose_bands or None,  # the label's weight bands travel with it
        maintenance_dose_mg=template.maintenance_dose_mg,
        maintenance_dose_from=len(template.loading_days) if template.maintenance_dose_mg else None,
        route="IV",
        first_dose_on=first,
        ordering_provider=_provider_for(org, code, rng),
        signed_on=signed,
        expires_on=default_expiry(signed),
        weight_kg_at_order=weight,
        location=patient.home_location,
        premedications="Acetaminophen 650 mg PO and diphenhydramine 25 mg PO 30 min before"
        if drug.admin_category == "chemo"
        else "",
        notes="Demo order.",
        # An established patient's order, signed by the center's physician (issue 11.2).
        signed_by=_physician(org),
        signed_at=dt.datetime.combine(signed, dt.time(10), tzinfo=dt.UTC),
    )
    order.full_clean(exclude=["diagnoses"])
    order.save()
    order.diagnoses.set(patient.diagnoses.all())
    OrderLab.objects.bulk_create(
        OrderLab(order=order, name=lab.name, every_days=lab.every_days)
        for lab in drug.required_labs.all()
    )
    return order


def _benefit_terms(coverage: Coverage, rng: random.Random) -> dict[str, Any]:
    kind = coverage.payer.kind
    if kind == "medicare_b":
        return {
            "deductible": Decimal(283),
            "deductible_met": Decimal(283),
            "coinsurance_percent": 20,
        }
    if coverage.order > 1:  # Medigap plan G: pays the coinsurance, not the Part B deductible
        return {"covers_primary_deductible": False}
    if kind == "medicaid":
        return {}
    deductible = Decimal(rng.choice([500, 1000, 1500, 3000]))
    return {
        "deductible": deductible,
        "deductible_met": deductible * Decimal(rng.choice([0, 0.5, 1])),
        "out_of_pocket_max": Decimal(rng.choice([4000, 6000, 8300])),
        "out_of_pocket_met": Decimal(rng.randint(0, 1500)),
        "coinsurance_percent": rng.choice([10, 20, 30]),
        "copay": Decimal(rng.choice([0, 0, 25, 50])),
    }


def _pa_required(order: TreatmentOrder, coverage: Coverage) -> bool:
    # Original Medicare does not use prior authorization for these Part B drugs; Medigap
    # follows Medicare. Commercial, Medicaid and Medicare Advantage plans generally do.
    if coverage.payer.kind == "medicare_b" or coverage.order > 1:
        return False
    return order.drug.prior_auth_usually_required


def _benefits(order: TreatmentOrder, rng: random.Random, user: User | None) -> Coverage | None:
    primary = None
    for coverage in order.patient.coverages.select_related("payer"):
        if coverage.payer.kind == "self_pay":
            continue
        BenefitsInvestigation.objects.create(
            organization=order.organization,
            patient=order.patient,
            order=order,
            coverage=coverage,
            status=BenefitsInvestigation.Status.VERIFIED,
            verified_on=order.signed_on + dt.timedelta(days=2),
            verified_by=user,
            coverage_active=True,
            plan_year=(order.signed_on + dt.timedelta(days=2)).year,
            pa_required="yes" if _pa_required(order, coverage) else "no",
            reference_number=f"DEMO-REF-{rng.randint(100000, 999999)}",
            **_benefit_terms(coverage, rng),
        )
        if coverage.order == 1:
            primary = coverage
    return primary


def _authorizations(
    order: TreatmentOrder, coverage: Coverage, rng: random.Random, today: dt.date
) -> list[PriorAuthorization]:
    """Approvals of about six months each from the first dose; the past ones expired."""
    planned = order.planned_dates()
    units = _units(order.dose_for_weight(order.weight_kg_at_order, 1), order.drug)
    assert order.first_dose_on is not None
    start: dt.date = order.first_dose_on - dt.timedelta(days=3)
    made = []
    while start <= today:
        end = start + dt.timedelta(days=rng.choice([182, 182, 364]))
        # Payers usually grant a little more than the schedule needs.
        visits = max(1, sum(1 for d in planned if start <= d <= end)) + rng.choice([0, 1, 1, 2])
        made.append(
            PriorAuthorization.objects.create(
                organization=order.organization,
                patient=order.patient,
                order=order,
                coverage=coverage,
                status=states.APPROVED if end >= today else states.EXPIRED,
                status_changed_on=min(end, today),
                authorization_number=f"DEMO-PA-{rng.randint(1000000, 9999999)}",
                hcpcs=order.drug.hcpcs,
                units_authorized=visits * units + (10 if units > 20 else 2),
                visits_authorized=visits,
                start_on=start,
                end_on=end,
                submitted_on=start - dt.timedelta(days=rng.randint(6, 14)),
                decided_on=start - dt.timedelta(days=rng.randint(1, 5)),
            )
        )
        start = end + dt.timedelta(days=1)
    return made


def _doses_given(
    order: TreatmentOrder, auths: list[PriorAuthorization], rng: random.Random, today: dt.date
) -> int:
    past = [d for d in order.planned_dates() if d < today]
    if past and rng.random() < 0.08:
        past = past[:-1]  # a missed dose: the patient shows as overdue
    rows = []
    for number, day in enumerate(past, start=1):
        auth = next((a for a in auths if a.start_on <= day <= a.end_on), None)  # type: ignore[operator]
        dose = order.dose_for_weight(order.weight_kg_at_order, number)
        rows.append(
            AuthorizationUsage(
                order=order,
                authorization=auth,
                on_date=day,
                units=_units(dose, order.drug),
                kind=AuthorizationUsage.Kind.CONSUMED,
                source_type="demo.treatment",
                source_id=f"{order.public_id}-{number}",
            )
        )
    AuthorizationUsage.objects.bulk_create(rows)
    return len(past)


def _labs(order: TreatmentOrder, rng: random.Random, today: dt.date) -> None:
    rows = []
    for lab in order.required_labs.all():
        if lab.every_days is None:
            if rng.random() < 0.93:
                rows.append((lab.name, order.signed_on - dt.timedelta(days=rng.randint(3, 30))))
        else:
            rows.append((lab.name, today - dt.timedelta(days=rng.randint(5, lab.every_days + 25))))
    LabResult.objects.bulk_create(
        LabResult(
            patient=order.patient,
            lab_name=name,
            result_on=on,
            interpretation=LabResult.Interpretation.NEGATIVE,
            notes="Demo result.",
        )
        for name, on in rows
    )


def gets_order(mrn: str) -> bool:
    """Whether this established demo patient is on treatment (the rest may be referred)."""
    return random.Random(f"riverside-order-{mrn}").random() <= ORDER_SHARE


def _seed_patient_order(org: Any, patient: Patient, user: User | None, today: dt.date) -> bool:
    rng = random.Random(f"riverside-order-{patient.mrn}")
    primary_dx = patient.diagnoses.filter(is_primary=True).first()
    if primary_dx is None or rng.random() > ORDER_SHARE:
        return False
    order = _new_order(org, patient, primary_dx.icd10_code, rng, today)
    if order is None:
        return False
    register_by(patient, order.signed_on)  # the chart predates the order
    coverage = _benefits(order, rng, user)
    auths = []
    if coverage is not None and _pa_required(order, coverage):
        auths = _authorizations(order, coverage, rng, today)
    given = _doses_given(order, auths, rng, today)
    course = len(order.planned_dates())
    if order.maintenance_interval_days is None and given >= course:
        order.status = TreatmentOrder.Status.COMPLETED
        order.save(update_fields=["status"])
    _labs(order, rng, today)
    if rng.random() < 0.3:
        order.assigned_to = rng.choice(list(coordinators(org)))
        order.save(update_fields=["assigned_to"])
    return True


def coordinators(org: Any) -> Any:
    return StaffMember.objects.filter(
        organization=org, job_title__in=["Infusion coordinator", "Medical assistant, front desk"]
    )


@transaction.atomic
def seed_orders(ctx: DemoContext) -> None:
    """Orders, benefits, authorizations, doses given and labs for established patients."""
    org = ctx.organizations["riverside"]
    user = ctx.users.get("coordinator")
    today = timezone.localdate()
    have_orders = set(
        TreatmentOrder.objects.filter(organization=org).values_list("patient_id", flat=True)
    )
    patients = Patient.objects.filter(organization=org, mrn__startswith="DEMO-1").exclude(
        pk__in=have_orders
    )
    made = sum(_seed_patient_order(org, p, user, today) for p in patients.order_by("mrn"))
    total = TreatmentOrder.objects.filter(organization=org).count()
    ctx.summary.append(f"{total} treatment orders ({made} new)")
