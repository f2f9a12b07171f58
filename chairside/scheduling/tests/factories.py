"""Factories for scheduling tests: a drug, an order, an authorization, a nurse on shift."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.referrals.models import ReferringProvider, TreatmentOrder
from chairside.formulary.models import Drug
from chairside.scheduling.models import NurseShift
from chairside.tenancy.models import StaffMember
from tests import factories as f

TZ = ZoneInfo("America/New_York")
# A Tuesday in a quiet week: no federal holiday near it (the shared factories' day).
DAY = f.DAY


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ)


def make_drug(org: Any, **kw: Any) -> Drug:
    """Infliximab, 2 h infusions, no observation, no prior authorization usually."""
    kw.setdefault("first_infusion_minutes", 120)
    kw.setdefault("subsequent_infusion_minutes", 120)
    kw.setdefault("observation_minutes", 0)
    kw.setdefault("prior_auth_usually_required", False)
    return f.DrugFactory.create(organization=org, **kw)


def make_provider(org: Any, **kw: Any) -> ReferringProvider:
    return f.ReferringProviderFactory.create(organization=org, **kw)


def make_order(patient: Any, drug: Drug | None = None, **kw: Any) -> TreatmentOrder:
    """Infliximab 5 mg/kg weeks 0, 2, 6 then every 8 weeks (Remicade label §2), by default,
    first dose on ``DAY``, signed (``signed_at=None`` makes a draft awaiting signature)."""
    return f.TreatmentOrderFactory.create(
        patient=patient, drug=drug or make_drug(patient.organization), **kw
    )


def make_authorization(order: TreatmentOrder, **kw: Any) -> PriorAuthorization:
    """Approved, 2026-11-15 to 2027-05-15, 6 visits, 300 units, on the patient's first
    coverage (a new payer's when the patient has none)."""
    return f.PriorAuthorizationFactory.create(order=order, **kw)


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
    return f.StaffMemberFactory.create(
        organization=org,
        first_name=first,
        last_name=last,
        competencies=INFUSION_SKILLS if competencies is None else competencies,
        **kw,
    )


def make_shift(
    nurse: StaffMember,
    location: Any,
    day: dt.date = DAY,
    starts: str = "07:00",
    ends: str = "15:30",
) -> NurseShift:
    return f.NurseShiftFactory.create(
        staff=nurse,
        location=location,
        date=day,
        starts=dt.time.fromisoformat(starts),
        ends=dt.time.fromisoformat(ends),
    )
