"""A biller ticks a hospital department's claim and an office claim, sends them as two
files (837P and 837I), downloads the 837I and opens the UB-04 view, in Chromium.
Screenshots go to test-output/screenshots/institutional-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.billing.models import Claim
from chairside.billing.tests import factories as bf
from chairside.billing.tests.test_institutional_claims import (
    department,
    hospital_claim,
    office_claim,
)
from chairside.rules.billing.x12.x12_validate import validate_x12
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def claims(org: Any) -> dict[str, Claim]:
    bf.billable_org(org)
    payer = bf.medicare(org)
    made = {
        "hospital": hospital_claim(org, department(org), payer),
        "office": office_claim(org, payer),
    }
    f.make_user(org, "biller", username="nina")
    return made


class TestBillerSendsBothForms:
    def test_it_sends_one_file_per_form_and_prints_the_ub04(
        self, live_server: Any, page: Any, shot: Any, claims: dict[str, Claim], tmp_path: Path
    ) -> None:
        log_in(page, live_server, "nina", f.TEST_PASSWORD)
        page.goto(f"{live_server.url}/billing/")
        hospital = claims["hospital"]
        for claim in claims.values():
            page.locator(f"input[name=claim][value='{claim.public_id}']").check()
        shot(page, "institutional-home-ticked")
        page.get_by_role("button", name="Send the ticked claims").click()
        expect(page.get_by_role("link", name="Download the 837P file")).to_be_visible()
        link = page.get_by_role("link", name="Download the 837I file")
        with page.expect_download() as event:
            link.click()
        saved = tmp_path / event.value.suggested_filename
        event.value.save_as(saved)
        text = saved.read_text()
        assert saved.name.startswith("837I-") and "005010X223A2" in text
        assert f"CLM*{hospital.control_number}*" in text and validate_x12(text) == []
        shot(page, "institutional-sent")
        page.goto(f"{live_server.url}{hospital.get_absolute_url()}")
        expect(page.get_by_role("heading", level=1)).to_contain_text("institutional 837I")
        shot(page, "institutional-claim")
        page.goto(f"{live_server.url}/billing/claims/{hospital.public_id}/ub-04/")
        expect(page.get_by_text("4. Type of bill")).to_be_visible()
        shot(page, "institutional-ub04")
