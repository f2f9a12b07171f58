"""A biller sends a replacement for a corrected visit and works the unmatched-remittance
queue, in Chromium. Screenshots go to test-output/screenshots/billing-*.png at 1366x900
and 1024x768."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.billing.models import Claim, UnmatchedRemittance
from chairside.billing.services import charges_derive, claims_export, remittance_import
from chairside.billing.simulate import claim_payment, reversal_of, simulated_835
from chairside.billing.tests import factories as bf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = ((1366, 900), (1024, 768))


def _sent(org: Any, payer: Any, first_name: str) -> tuple[Claim, Any, Any]:
    patient = bf.billable_patient(org, first_name=first_name)
    facts = bf.facts_for(patient, payer)
    encounter = charges_derive(organization=org, patient=patient, location=None, facts=facts)
    claim = encounter.claims.get()
    claims_export(organization=org, claims=[claim], user=None)
    claim.refresh_from_db()
    return claim, patient, facts


@pytest.fixture
def world(org: Any) -> dict[str, Any]:
    bf.billable_org(org)
    payer = bf.medicare(org)
    corrected, patient, facts = _sent(org, payer, "Corrected")
    unposted, _, _ = _sent(org, payer, "Reversed")
    remittance_import(
        organization=org,
        text=simulated_835([corrected], trace="EFT1", paid_on=dt.date(2026, 4, 2)),
        filename="paid.835",
        user=None,
    )
    corrected.refresh_from_db()
    changed = replace(facts, drugs=(replace(facts.drugs[0], dose_mg=Decimal(400)),))
    charges_derive(organization=org, patient=patient, location=None, facts=changed)
    remittance_import(
        organization=org,
        text=simulated_835(
            [unposted],
            trace="EFT2",
            paid_on=dt.date(2026, 4, 9),
            payments=[reversal_of(claim_payment(unposted))],
        ),
        filename="reversal.835",
        user=None,
    )
    f.make_user(org, "biller", username="nina")
    return {"claim": corrected}


def _shots(page: Any, shot: Any, name: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"{name}-{width}")


class TestBillerCorrectsAClaim:
    def test_it_sends_a_replacement_and_clears_an_unmatched_payment(
        self, live_server: Any, page: Any, shot: Any, world: dict[str, Any]
    ) -> None:
        claim = world["claim"]
        log_in(page, live_server, "nina", f.TEST_PASSWORD)
        page.goto(f"{live_server.url}{claim.get_absolute_url()}")
        expect(
            page.get_by_text("The visit was corrected after this claim was sent.")
        ).to_be_visible()
        _shots(page, shot, "billing-claim-corrected")
        page.get_by_role("button", name="Make the replacement claim").click()
        expect(page.get_by_text("replacement of " + claim.control_number)).to_be_visible()
        expect(page.locator("#claim-state")).to_have_text("Ready to submit")
        _shots(page, shot, "billing-claim-replacement")
        page.goto(f"{live_server.url}/billing/remittances/unmatched/")
        expect(page.get_by_text("no payment of it was posted")).to_be_visible()
        _shots(page, shot, "billing-unmatched")
        page.get_by_label("What was done").fill("Payer confirmed the reversal was sent in error.")
        page.get_by_role("button", name="Done").click()
        expect(page.get_by_text("Every payment posted to a claim.")).to_be_visible()
        assert UnmatchedRemittance.objects.get().resolved
