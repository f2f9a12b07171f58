"""Billing test factories: a billable organization and encounter facts for its patients."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import factory

from chairside.billing.models import (
    BillingProfile,
    ChargeMasterItem,
    ContractAdminFee,
    DrugPrice,
    PayerContract,
)
from chairside.billing.services import asp_file_import
from chairside.rules.billing.admin_codes import Administration
from chairside.rules.billing.charges import (
    CoverageFacts,
    DrugGiven,
    EncounterFacts,
    Person,
    Provider,
)
from tests import factories as f

TZ = ZoneInfo("America/New_York")
DAY = dt.date(2026, 3, 10)
_seq = itertools.count(1)

ASP_CSV = (
    "Payment Allowance Limits for Medicare Part B Drugs (test figures),,,\n"
    '"Effective January 1, 2026 through March 31, 2026",,,\n'
    "HCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit,Notes\n"
    "J1745,Infliximab not biosimil 10mg,10 MG,38.500,\n"
    "J3262,Tocilizumab injection,1 MG,5.600,\n"
)
CHARGES = {"96413": "450.00", "96415": "95.00", "96365": "300.00", "J1745": "77.00"}
MEDICARE_FEES = {"96413": "150.00", "96415": "32.00", "96365": "80.00"}


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def billable_org(org: Any, **profile: Any) -> BillingProfile:
    """Give an organization everything a clean claim needs: profile, prices, ASP, drug."""
    defaults = {
        "billing_name": org.name,
        "npi": "1902847312",  # made up, check digit valid (not the CMS example)
        "tax_id": "234731906",  # made up, a prefix the IRS assigns
        "address_line1": "100 Riverside Plaza",
        "city": "Riverside",
        "state": "PA",
        "postal_code": "190001234",
        "submitter_id": "SUBMIT01",
        "receiver_id": "CLEARING01",
        "receiver_name": "Test Clearinghouse",
        "supplies_cost_per_visit": Decimal("25.00"),
        "nurse_cost_per_hour": Decimal("52.00"),
    }
    defaults.update(profile)
    saved = BillingProfile.objects.create(organization=org, **defaults)
    for code, price in CHARGES.items():
        ChargeMasterItem.objects.create(organization=org, code=code, price_per_unit=Decimal(price))
    DrugPrice.objects.create(
        organization=org,
        hcpcs="J1745",
        wac_per_unit=Decimal("40.00"),
        acquisition_cost_per_unit=Decimal("33.00"),
    )
    asp_file_import(organization=org, data=ASP_CSV.encode(), filename="asp.csv", user=None)
    f.DrugFactory.create(
        organization=org,
        key="infliximab",
        brand_name="",
        prior_auth_usually_required=True,
        packages=[("57894003001", "100 mg vial", "100")],
    )
    return saved


def medicare(org: Any, **contract: Any) -> Any:
    payer = f.make_payer(
        org,
        name=factory.Sequence(lambda n: f"Medicare Part B {n}"),
        kind="medicare_b",
        payer_id="12502",
    )
    terms = {"requires_prior_authorization": False, "appeal_window_days": 120}
    terms.update(contract)
    made = PayerContract.objects.create(organization=org, payer=payer, **terms)
    for code, fee in MEDICARE_FEES.items():
        ContractAdminFee.objects.create(contract=made, cpt=code, amount=Decimal(fee))
    return payer


def commercial(org: Any, name: str = "", **contract: Any) -> Any:
    payer = f.make_payer(
        org,
        name=name or factory.Sequence(lambda n: f"Keystone {n}"),
        kind="commercial",
        payer_id="60054",
    )
    terms = {"drug_basis": "asp", "drug_percent": Decimal(120), "patient_share_percent": Decimal(0)}
    terms.update(contract)
    made = PayerContract.objects.create(organization=org, payer=payer, **terms)
    for code, fee in MEDICARE_FEES.items():
        ContractAdminFee.objects.create(contract=made, cpt=code, amount=Decimal(fee) * 2)
    return payer


def billable_patient(org: Any, **kw: Any) -> Any:
    kw.setdefault("address_line1", "12 Elm Street")
    kw.setdefault("city", "Riverside")
    kw.setdefault("state", "PA")
    kw.setdefault("postal_code", "19000")
    return f.make_patient(org, **kw)


def coverage_facts(payer: Any, member_id: str = "1EG4TE5MK72", **kw: Any) -> CoverageFacts:
    return CoverageFacts(str(payer.public_id), payer.name, payer.payer_id, member_id, **kw)


def facts_for(patient: Any, *payers: Any, **changes: Any) -> EncounterFacts:
    """Infliximab 350 mg from four 100 mg vials over 2 h 10 min for Crohn's disease."""
    facts = EncounterFacts(
        encounter_ref=changes.pop("encounter_ref", f"visit-{next(_seq)}"),
        date_of_service=DAY,
        place_of_service="11",
        patient=Person(
            patient.last_name,
            patient.first_name,
            patient.date_of_birth,
            patient.sex,
            address_line1=patient.address_line1,
            city=patient.city,
            state=patient.state,
            postal_code=patient.postal_code,
        ),
        account_number=patient.mrn,
        coverages=tuple(coverage_facts(p, f"M{n}") for n, p in enumerate(payers, start=1)),
        diagnoses=("K50.90",),
        rendering_provider=Provider("1902847312", "Marsh", "Elena", "MD"),  # made up
        referring_provider=Provider("1245319599", "Okafor", "Samuel", "MD"),
        administrations=(Administration("chemo", "infusion", at(9), at(11, 10), "infliximab"),),
        drugs=(
            DrugGiven(
                "infliximab",
                "J1745",
                Decimal(10),
                Decimal(350),
                Decimal(400),
                ndc11="57894003001",
                ndc_quantity=Decimal(4),
                drug_key="infliximab",
            ),
        ),
        prior_authorization="PA-1",
    )
    return replace(facts, **changes)
