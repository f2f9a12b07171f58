"""Factories for scheduling tests: a drug, an order, an authorization, a nurse on shift."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.referrals.models import ReferringProvider, TreatmentOrder
from chairside.formulary.models import Drug
from chairside.rules.access import authorization_states
from chairside.rules.common.npi import npi_check_digit
from chairside.scheduling.models import NurseShift
from chairside.tenancy.models import Competency, StaffMember
from tests import factories as f

_seq = itertools.count(1)
TZ = ZoneInfo("America/New_York")
# A Tuesday in a quiet week: no federal holiday near it.
DAY = dt.date(2026, 12, 8)


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ)


def make_drug(org: Any, **kw: Any) -> Drug:
    n = next(_seq)
    kw.setdefault("key", f"infliximab-{n}")
    kw.setdefault("generic_name", "infliximab")
    kw.setdefault("brand_name", "Remicade")
    kw.setdefault("hcpcs", "J1745")
    kw.setdefault("billing_unit_mg", Decimal("10"))
    kw.setdefault("admin_category", Drug.AdminCategory.CHEMO)
    kw.setdefault("first_infusion_minutes", 120)
    kw.setdefault("subsequent_infusion_minutes", 120)
    kw.setdefault("observation_minutes", 0)
    kw.setdefault("prior_auth_usually_required", False)
    return Drug.objects.create(organization=org, **kw)


def make_provider(org: Any) -> ReferringProvider:
    first9 = f"1{next(_seq):08d}"
    return ReferringProvider.objects.create(
        organization=org,
        first_name="Elena",
        last_name="Marsh",
        credential="MD",
        npi=first9 + npi_check_digit(first9),
    )


def make_order(patient: Any, drug: Drug | None = None, **kw: Any) -> TreatmentOrder:
    """Infliximab 5 mg/kg weeks 0, 2, 6 then every 8 weeks (Remicade label §2), by default."""
    org = patient.organization
    kw.setdefault("regimen_name", "Crohn's disease")
    kw.setdefault("loading_days", [0, 14, 42])
    kw.setdefault("maintenance_interval_days", 56)
    kw.setdefault("dose_mg_per_kg", Decimal("5"))
    kw.setdefault("weight_kg_at_order", Decimal("70.0"))
    kw.setdefault("signed_on", dt.date(2026, 11, 1))
    kw.setdefault("expires_on", dt.date(2027, 11, 1))
    kw.setdefault("first_dose_on", DAY)
    # Signed by a physician (issue 11.2); ``signed_at=None`` makes a draft awaiting signature.
    kw.setdefault("signed_at", timezone.now())
    return TreatmentOrder.objects.create(
        organization=org,
        patient=patient,
        drug=drug or make_drug(org),
        ordering_provider=make_provider(org),
        **kw,
    )


def make_authorization(order: TreatmentOrder, **kw: Any) -> PriorAuthorization:
    patient = order.patient
    coverage = patient.coverages.first()
    if coverage is None:
        coverage = f.make_coverage(patient, f.make_payer(patient.organization))
    kw.setdefault("status", authorization_states.APPROVED)
    kw.setdefault("authorization_number", f"PA-{next(_seq)}")
    kw.setdefault("start_on", dt.date(2026, 11, 15))
    kw.setdefault("end_on", dt.date(2027, 5, 15))
    kw.setdefault("visits_authorized", 6)
    kw.setdefault("units_authorized", 300)
    return PriorAuthorization.objects.create(
        organization=order.organization,
        patient=patient,
        order=order,
        coverage=coverage,
        **kw,
    )


# An infusion nurse's competencies, all current well past ``DAY`` unless a test says otherwise.
CURRENT = dt.date(2027, 12, 31)
INFUSION_SKILLS = {"bls": CURRENT, "piv_insertion": CURRENT, "chemo_biologic": CURRENT}


def make_nurse(
    org: Any,
    first: str = "Jordan",
    last: str = "Blake",
    competencies: dict[str, dt.date | None] | None = None,
    **kw: Any,
) -> StaffMember:
    """An RN with ``competencies`` (skill code → expiry), by default every infusion skill."""
    kw.setdefault("credential", "RN")
    kw.setdefault("license_state", "PA")
    kw.setdefault("license_number", f"RN-{next(_seq)}")
    staff = StaffMember.objects.create(organization=org, first_name=first, last_name=last, **kw)
    skills = INFUSION_SKILLS if competencies is None else competencies
    for skill, expires_on in skills.items():
        Competency.objects.create(staff=staff, skill=skill, expires_on=expires_on)
    return staff


def make_shift(
    nurse: StaffMember,
    location: Any,
    day: dt.date = DAY,
    starts: str = "07:00",
    ends: str = "15:30",
) -> NurseShift:
    return NurseShift.objects.create(
        organization=nurse.organization,
        staff=nurse,
        location=location,
        date=day,
        starts=dt.time.fromisoformat(starts),
        ends=dt.time.fromisoformat(ends),
    )
