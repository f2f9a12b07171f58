"""A coordinator checks eligibility from the benefits page, the payer's 271 arrives in the
clearinghouse drop folder, she reviews it beside the benefits on file and confirms it, in
Chromium. Screenshots go to test-output/screenshots/eligibility-review-*.png."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.interop.models import EligibilityExchange
from chairside.interop.tests.eligibility_scene import (
    covered_and_verified,
    drop_answer,
    same_answer,
    text_271,
)
from chairside.scheduling.tests import factories as sf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_review_and_confirm(
    page: Any, live_server: Any, shot: Any, tmp_path: Path, settings: Any
) -> None:
    settings.CHAIRSIDE_ELIGIBILITY_TRANSPORT = (
        "chairside.interop.eligibility_transport.FileDropTransport"
    )
    settings.CHAIRSIDE_ELIGIBILITY_OUTBOX = tmp_path / "outbox"
    settings.CHAIRSIDE_ELIGIBILITY_INBOX = tmp_path / "inbox"
    org = f.make_org("Eligibility Browser Test")
    location = f.make_location(org, name="Riverside Main", chairs=2)
    coordinator = f.make_user(org, "coordinator", username="hannah")
    patient = f.make_patient(org, first_name="Grace", last_name="Hopper", weight_kg="70.0")
    order = sf.make_order(
        patient,
        location=location,
        signed_on=timezone.localdate(),
        expires_on=timezone.localdate() + dt.timedelta(days=365),
    )
    scene = SimpleNamespace(org=org, patient=patient, order=order, coordinator=coordinator)
    check = covered_and_verified(scene)

    log_in(page, live_server, "hannah", "pw-test-123")
    page.goto(f"{live_server.url}/access/benefits/{check.public_id}/")
    page.click("button:has-text('Check eligibility (X12 270)')")
    expect(page.locator("h1")).to_contain_text("Eligibility answer")
    expect(page.locator(".badge-lg")).to_have_text("Sent, waiting for the payer's answer")
    exchange = EligibilityExchange.objects.get()
    assert (tmp_path / "outbox" / f"{exchange.trace_number}.270").exists()

    # The payer now wants prior authorization and the deductible went up.
    answer = same_answer(
        exchange.trace_number,
        benefits=(
            ("1", "IND", "30", "", "", "", "Y"),
            ("C", "IND", "30", "23", "2000", "", "", "Y"),
            ("C", "IND", "30", "29", "1800", "", "", "Y"),
            ("A", "IND", "98", "27", "", ".2", "", "Y"),
            ("B", "IND", "98", "27", "25", "", "", "Y"),
        ),
    )
    drop_answer(tmp_path / "inbox", exchange.trace_number, text_271(answer))
    page.click("button:has-text('Look for the answer')")
    expect(page.locator(".badge-lg")).to_have_text("Answered: review and confirm")
    table = page.locator("table.compare")
    expect(table.locator("tr.changed.blocking")).to_contain_text("Required")
    expect(table.locator("tr.changed", has_text="Deductible").first).to_contain_text("$2,000.00")
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"eligibility-review-{width}")
    page.click("button:has-text('Confirm into the benefits')")
    expect(page.locator(".badge-lg")).to_have_text("Confirmed into the benefits")
    check.refresh_from_db()
    assert (check.pa_required, check.deductible, check.deductible_met) == (
        "yes",
        Decimal(2000),
        Decimal(200),
    )
    assert check.verified_by == coordinator
