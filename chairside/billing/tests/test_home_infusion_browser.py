"""A biller derives a home infusion month and opens its claim, blocked by a delivery
without proof, in Chromium. Screenshots go to test-output/screenshots/home-billing-*.png."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.homecare.tests import factories as hf
from tests import factories as f
from tests.browser.plugin import log_in

from .test_home_infusion import home_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [(1366, 900), (1024, 768)])
def test_a_biller_derives_a_month_and_sees_what_its_claim_lacks(
    live_server: Any, page: Any, shot: Any, org: Any, size: tuple[int, int]
) -> None:
    patient, location, month, days, _t = home_world(org)
    hf.make_delivery(patient, location, days[1] + dt.timedelta(days=1))  # no proof yet
    f.make_user(org, "biller", username="nina")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "nina", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/billing/home-infusion/?month={month:%Y-%m}")
    expect(page.get_by_role("heading", name="Home infusion")).to_be_visible()
    page.get_by_role("button", name="Derive charges").click()
    expect(page.get_by_text("3 to fix").or_(page.get_by_text("1 to fix"))).to_be_visible()
    shot(page, f"home-billing-month-{size[0]}")
    page.get_by_role("link", name="C0000001").click()
    expect(page.get_by_text("has no proof of delivery")).to_be_visible()
    shot(page, f"home-billing-claim-{size[0]}")
