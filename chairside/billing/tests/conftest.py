"""A billing world for page tests: two organizations, each with a submitted claim, a posted
remittance with a denial, an 837P file and a contract; log-ins for the roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from chairside.billing.models import Claim, ClaimExport, Denial, PayerContract, Remittance
from chairside.billing.services import charges_derive, claims_export, remittance_import
from chairside.billing.simulate import simulated_835
from chairside.billing.tests import factories as bf
from tests import factories as f


@dataclass
class World:
    org: Any
    claim: Claim
    ready: Claim
    export: ClaimExport
    remittance: Remittance
    denial: Denial
    contract: PayerContract

    @property
    def encounter(self) -> Any:
        return self.claim.encounter

    @property
    def line(self) -> Any:
        return self.claim.encounter.current_lines.first()


def build_world(org: Any) -> World:
    bf.billable_org(org)
    payer = bf.commercial(org, appeal_window_days=60)

    def claim_for(patient: Any) -> Claim:
        facts = bf.facts_for(patient, payer)
        encounter = charges_derive(organization=org, patient=patient, location=None, facts=facts)
        return encounter.claims.get()

    claim = claim_for(bf.billable_patient(org))
    export = claims_export(organization=org, claims=[claim], user=None)
    claim.refresh_from_db()
    text = simulated_835(
        [claim],
        trace=f"T-{org.pk}",
        paid_on=dt.date(2026, 4, 2),
        denied={claim.pk: {4: ("16", "M119")}},
    )
    remittance = remittance_import(organization=org, text=text, filename="a.835", user=None)
    claim.refresh_from_db()
    ready = claim_for(bf.billable_patient(org))
    return World(
        org=org,
        claim=claim,
        ready=ready,
        export=export,
        remittance=remittance,
        denial=Denial.objects.get(claim=claim),
        contract=PayerContract.objects.get(organization=org, payer=payer),
    )


@pytest.fixture
def world(org: Any) -> World:
    return build_world(org)


@pytest.fixture
def other_world(other_org: Any) -> World:
    return build_world(other_org)


@pytest.fixture
def biller(org: Any) -> Any:
    return f.make_user(org, "biller")


@pytest.fixture
def biller_client(biller: Any) -> Any:
    return f.login(biller)


@pytest.fixture
def auditor_client(org: Any) -> Any:
    return f.login(f.make_user(org, "auditor"))


@pytest.fixture
def nurse_client(org: Any) -> Any:
    return f.login(f.make_user(org, "nurse"))
