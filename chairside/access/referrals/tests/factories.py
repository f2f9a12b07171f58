"""Factories for referrals, orders, benefits and authorizations (used by both apps' tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory

from chairside.access.authorizations import services as access
from chairside.access.authorizations.models import BenefitsInvestigation, PriorAuthorization
from chairside.access.referrals import services
from chairside.access.referrals.models import Referral, ReferringProvider, TreatmentOrder
from chairside.formulary.models import Drug
from chairside.formulary.services import formulary_load_reference
from chairside.patients.models import Patient
from chairside.rules.access import authorization_states as states
from tests import factories as f

SIGNED = dt.date(2026, 1, 5)


def valid_npi(seed: int | None = None) -> str:
    """A made-up valid NPI: from ``seed``, or else one no factory has given out yet."""
    if seed is not None:
        return f.made_up_npi(seed)
    return f.ReferringProviderFactory.build(organization=None).npi


def formulary(org: Any) -> None:
    if not Drug.objects.filter(organization=org).exists():
        formulary_load_reference(organization=org)


def drug(org: Any, key: str) -> Drug:
    formulary(org)
    return Drug.objects.get(organization=org, key=key)


def make_provider(org: Any, **kw: Any) -> ReferringProvider:
    """Dr Rita Levi<n>, MD."""
    kw.setdefault("first_name", "Rita")
    kw.setdefault("last_name", factory.Sequence(lambda n: f"Levi{n}"))
    return f.ReferringProviderFactory.create(organization=org, **kw)


def make_referral(org: Any, user: Any = None, **kw: Any) -> Referral:
    kw.setdefault("received_on", dt.date(2026, 1, 2))
    kw.setdefault("referring_provider", kw.pop("provider", None) or make_provider(org))
    kw.setdefault("requested_drug", drug(org, "infliximab"))
    if "patient" not in kw:
        kw.setdefault("patient_first_name", "Ada")
        kw.setdefault("patient_last_name", "Byron")
        kw.setdefault("patient_date_of_birth", dt.date(1980, 12, 10))
    return services.referral_create(organization=org, user=user, **kw)


def signer(org: Any) -> Any:
    """The organization's physician log-in (``order.sign``), made on first use."""
    from chairside.tenancy.models import Membership

    member = Membership.objects.filter(organization=org, role="provider").first()
    return member.user if member is not None else f.make_user(org, "provider")


def make_order(
    patient: Patient,
    key: str = "infliximab",
    template_words: str = "",
    user: Any = None,
    *,
    signed: bool = True,
    **kw: Any,
) -> TreatmentOrder:
    """An order through the service (labs copied, benefits opened), from the drug's template.

    Signed by the organization's physician unless ``signed=False`` (a draft, as a
    coordinator enters it from the referral's paperwork).
    """
    org = patient.organization
    d = drug(org, key)
    templates = list(d.regimens.all())
    template = next((t for t in templates if template_words in t.name), templates[0])
    kw.setdefault("regimen_template", template)
    kw.setdefault("ordering_provider", make_provider(org))
    kw.setdefault("signed_on", SIGNED)
    kw.setdefault("first_dose_on", dt.date(2026, 1, 12))
    order = services.order_create(organization=org, user=user, patient=patient, drug=d, **kw)
    if signed and not order.is_signed:
        order = services.order_sign(order=order, user=signer(org))
    return order


def covered_patient(org: Any, kind: str = "commercial", **kw: Any) -> Patient:
    kw.setdefault("weight_kg", "70.0")
    patient = f.make_patient(org, **kw)
    payer = f.make_payer(org, kind=kind)
    f.make_coverage(patient, payer, effective_from=dt.date(2025, 1, 1))
    return patient


def verify_benefits(order: TreatmentOrder, user: Any, pa_required: str = "yes", **kw: Any) -> None:
    for check in order.benefits.all():
        access.benefits_verify(
            investigation=check,
            user=user,
            coverage_active=True,
            pa_required=pa_required,
            verified_on=kw.pop("verified_on", dt.date(2026, 1, 6)),
            **kw,
        )


def approved_authorization(
    order: TreatmentOrder,
    user: Any,
    *,
    start: dt.date = dt.date(2026, 1, 8),
    end: dt.date = dt.date(2026, 7, 7),
    visits: int | None = 4,
    units: int | None = 200,
    number: str = "A-1",
) -> PriorAuthorization:
    auth = order.authorizations.filter(status=states.TO_SUBMIT).first()
    if auth is None:
        coverage = order.patient.coverages.order_by("order").first()
        assert coverage is not None
        auth = access.authorization_open(order=order, coverage=coverage, user=user)
    access.authorization_transition(
        authorization=auth, user=user, to_status=states.SUBMITTED, on_date=dt.date(2026, 1, 6)
    )
    return access.authorization_transition(
        authorization=auth,
        user=user,
        to_status=states.APPROVED,
        on_date=dt.date(2026, 1, 7),
        authorization_number=number,
        start_on=start,
        end_on=end,
        visits_authorized=visits,
        units_authorized=units,
    )


def pending_benefits(order: TreatmentOrder) -> BenefitsInvestigation:
    check = order.benefits.first()
    assert check is not None
    return check


WEIGHT = Decimal("70.0")
