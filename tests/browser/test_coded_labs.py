"""Issue 13 item 6: a result recorded under another name for the same coded test clears the
order's required lab — in Chromium, at desktop and tablet size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.access.referrals.tests import factories as rf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"1366": (1366, 900), "1024": (1024, 768)}


def test_a_quantiferon_result_clears_the_tb_screening(
    page: Any, live_server: Any, shot: Any
) -> None:
    org = f.make_org("Coded Labs Browser Test")
    f.make_location(org, name="Main suite", chairs=4)
    f.make_user(org, "coordinator", username="coord")
    patient = f.make_patient(org, first_name="Naomi", last_name="Friedman", weight_kg="64.0")
    # The first dose is next week: a result recorded today counts for it.
    order = rf.make_order(
        patient, "infliximab", first_dose_on=timezone.localdate() + dt.timedelta(days=7)
    )

    log_in(page, live_server, "coord", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/referrals/orders/{order.public_id}/")
    labs = page.locator("main")
    expect(labs).to_contain_text("Tuberculosis screening (TST or IGRA) never recorded")
    expect(labs).to_contain_text("LOINC 71773-6")
    for name, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        shot(page, f"coded-labs-01-order-{name}")

    page.get_by_role("link", name="Record a result").click()
    page.locator("#id_lab_name").fill("QuantiFERON-TB Gold")  # not the order's wording
    page.locator("#id_interpretation").select_option("negative")
    page.get_by_role("button", name="Save result").click()
    expect(page.locator(".messages")).to_contain_text(
        "QuantiFERON-TB Gold recorded (LOINC 71773-6)"
    )
    page.goto(f"{live_server.url}/referrals/orders/{order.public_id}/")
    expect(labs).not_to_contain_text("Tuberculosis screening (TST or IGRA) never recorded")
    expect(labs).to_contain_text("Hepatitis B virus screening never recorded")
    for name, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        shot(page, f"coded-labs-02-tb-cleared-{name}")
