"""A biller opens a ready claim, runs the pre-submission check, sends it and downloads the
837P file, in Chromium. Screenshots go to test-output/screenshots/billing-*.png."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.billing.models import Claim
from chairside.billing.services import charges_derive
from chairside.billing.tests import factories as bf
from chairside.rules.billing.x12.x12_validate import validate_x12
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def claims(org: Any) -> dict[str, Claim]:
    bf.billable_org(org)
    payer = bf.medicare(org)
    made = {}
    for name in ("ready", "blocked"):
        patient = bf.billable_patient(org, first_name=name.title())
        facts = bf.facts_for(patient, payer)
        if name == "blocked":
            facts = replace(facts, diagnoses=(), rendering_provider=None)
        encounter = charges_derive(organization=org, patient=patient, location=None, facts=facts)
        made[name] = encounter.claims.get()
    f.make_user(org, "biller", username="nina")
    return made


class TestBillerSendsAClaim:
    def test_it_checks_a_ready_claim_and_downloads_the_837p(
        self,
        live_server: Any,
        page: Any,
        shot: Any,
        claims: dict[str, Claim],
        tmp_path: Path,
    ) -> None:
        log_in(page, live_server, "nina", f.TEST_PASSWORD)
        page.goto(f"{live_server.url}/billing/")
        expect(page.get_by_role("heading", name="Claims ready to submit")).to_be_visible()
        shot(page, "billing-home")
        ready = claims["ready"]
        page.get_by_role("link", name=ready.control_number).first.click()
        expect(page.locator("#claim-state")).to_have_text("Ready to submit")
        page.click("#run-check")
        expect(page.get_by_text("Check passed just now")).to_be_visible()
        shot(page, "billing-claim-checked")
        page.click("#submit-claim")
        download_link = page.get_by_role("link", name="Download the 837P file")
        expect(download_link).to_be_visible()
        with page.expect_download() as event:
            download_link.click()
        saved = tmp_path / event.value.suggested_filename
        event.value.save_as(saved)
        text = saved.read_text()
        assert text.startswith("ISA*") and f"CLM*{ready.control_number}*" in text
        assert validate_x12(text) == []
        shot(page, "billing-claim-sent")
        ready.refresh_from_db()
        assert ready.state == "submitted"

    def test_it_shows_what_blocks_a_claim(
        self,
        live_server: Any,
        page: Any,
        shot: Any,
        claims: dict[str, Claim],
    ) -> None:
        log_in(page, live_server, "nina", f.TEST_PASSWORD)
        blocked = claims["blocked"]
        page.goto(f"{live_server.url}{blocked.get_absolute_url()}")
        page.click("#run-check")
        alert = page.locator(".check-results .alert.bad")
        expect(alert).to_contain_text("Blocked: 2 items to fix")
        expect(alert).to_contain_text("The rendering provider NPI is missing.")
        expect(alert).to_contain_text(
            "No diagnosis: add the ICD-10-CM code of the treatment order."
        )
        expect(page.locator("#submit-claim")).to_have_count(0)
        shot(page, "billing-claim-blocked")
