"""In Chromium: the coordinator records, from the referral, the patient's last home infusion
therapy visit by another supplier on the home-infusion patient page; the card then says from
which day Medicare's initial-visit codes may be billed. Screenshots at 1366 and 1024 wide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.homecare.models import OutsideHitHistory
from chairside.homecare.tests import factories as hf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_records_another_suppliers_last_visit(
    live_server: Any, browser: Any, shot: Any, org: Any, home: Any
) -> None:
    f.make_user(org, "coordinator", username="cora")
    patient = hf.make_home_patient(org, home, first_name="Rosa", last_name="Diaz")
    hf.make_home_order(patient, start_date=timezone.localdate())
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    log_in(page, live_server, "cora", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/homecare/patients/{patient.public_id}/")
    expect(page.locator("#outside-history")).to_contain_text("No visit by another")
    page.click("#edit-outside-history")
    day = timezone.localdate() - dt.timedelta(days=20)
    form = page.locator("#outside-history-form")
    form.locator("input[name=last_visit_on]").fill(day.isoformat())
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"homecare-outside-history-form-{width}")
    form.locator("button[type=submit]").click()
    expect(page.locator("#outside-history-form p.error")).to_contain_text("Name the supplier")
    assert not OutsideHitHistory.objects.exists()
    form = page.locator("#outside-history-form")
    form.locator("input[name=supplier]").fill("Acme Home Infusion (demo)")
    form.locator("input[name=source]").fill("referral packet")
    form.locator("button[type=submit]").click()
    card = page.locator("#outside-history")
    expect(card).to_contain_text("Acme Home Infusion (demo)")
    expect(card).to_contain_text(f"{day:%m/%d/%Y}")
    expect(card).to_contain_text(f"{day + dt.timedelta(days=61):%m/%d/%Y}")
    saved = OutsideHitHistory.objects.get(patient=patient)
    assert (saved.last_visit_on, saved.supplier) == (day, "Acme Home Infusion (demo)")
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"homecare-outside-history-card-{width}")
    context.close()
