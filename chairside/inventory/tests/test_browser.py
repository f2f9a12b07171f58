"""A pharmacist receives a scanned shipment, sees it on the shelf, and plans the next order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.inventory.tests import factories as inv
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pharmacist_receives_a_scanned_shipment_and_drafts_an_order(
    page: Any,
    live_server: Any,
    shot: Any,
) -> None:
    org = f.make_org("Inventory Browser Test")
    location = f.make_location(org, name="Main suite", chairs=4)
    drug = inv.make_drug(org)
    inv.make_place(location, "Pharmacy refrigerator 1")
    inv.make_vendor(org, name="Keystone Specialty Distribution (demo)")
    f.make_user(org, "pharmacist", username="grace")
    expiry = (timezone.localdate() + dt.timedelta(days=400)).isoformat()

    log_in(page, live_server, "grace", "pw-test-123")
    page.click("nav.mainnav >> text=Inventory")
    expect(page.locator("h1")).to_have_text("Stock on hand")
    page.click("text=Receive a shipment")
    page.select_option("#id_vendor", label="Keystone Specialty Distribution (demo)")
    page.fill("#id_invoice_number", "KSD-1001")
    page.select_option("#id_storage_place", index=1)
    # A scanner types the 11 digits and presses Enter: the line says what it is.
    page.fill("#id_line-0-ndc", "57894003001")
    page.press("#id_line-0-ndc", "Enter")
    expect(page.locator("#ndc-info-0")).to_contain_text("infliximab 100 mg")
    expect(page.locator("#id_line-0-lot_number")).to_be_focused()
    page.fill("#id_line-0-lot_number", "rx2231")
    page.fill("#id_line-0-expires_on", expiry)
    page.fill("#id_line-0-vials", "12")
    page.fill("#id_line-0-cost_per_vial", "330.00")
    # The second carton's NDC is not on the formulary: the page offers to add it.
    page.fill("#id_line-1-ndc", "12345-6789-01")
    page.press("#id_line-1-ndc", "Tab")
    expect(page.locator("#ndc-info-1")).to_contain_text("not in the formulary")
    shot(page, "inventory-01-receive-scanned")
    page.fill("#id_line-1-ndc", "")

    # A fractional vial count is refused with a clear message, and nothing is saved.
    page.fill("#id_line-0-vials", "1.5")
    page.click("text=Receive into stock")
    expect(page.locator(".receive-lines")).to_contain_text("not a whole number of vials")
    shot(page, "inventory-02-receive-refused")
    page.fill("#id_line-0-vials", "12")
    page.fill("#id_line-0-lot_number", "rx2231")
    page.click("text=Receive into stock")
    expect(page.locator(".messages")).to_contain_text("Received 1 lot")
    expect(page.locator(".stock-table")).to_contain_text("$3,960.00")
    page.click("text=infliximab")
    page.click("text=RX2231")
    expect(page.locator(".onhand-box")).to_contain_text("12")
    shot(page, "inventory-03-lot")

    page.click(".crumbs >> text=Stock on hand")
    page.click(".inv-tabs >> text=Forecast & order")
    expect(page.locator("h1")).to_contain_text("Forecast")
    shot(page, "inventory-04-forecast")
    assert drug.packages.count() == 1
