"""A pharmacist scans a carton's GS1 DataMatrix: the line fills its NDC, lot and expiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.inventory.models import Lot
from chairside.inventory.tests import factories as inv
from chairside.rules.inventory.barcodes import gs1_check_digit
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GTIN = "0035789403001" + gs1_check_digit("0035789403001")  # Remicade 100 mg, 57894-030-01


def test_a_scanned_datamatrix_fills_the_line(page: Any, live_server: Any, shot: Any) -> None:
    org = f.make_org("Barcode Browser Test")
    location = f.make_location(org, name="Main suite", chairs=2)
    inv.make_drug(org)
    inv.make_place(location, "Pharmacy refrigerator 1")
    inv.make_vendor(org, name="Keystone Specialty Distribution (demo)")
    f.make_user(org, "pharmacist", username="grace")
    expiry = (timezone.localdate() + dt.timedelta(days=400)).replace(day=1)

    log_in(page, live_server, "grace", "pw-test-123")
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/inventory/receive/")
        page.select_option("#id_vendor", label="Keystone Specialty Distribution (demo)")
        page.fill("#id_invoice_number", "KSD-2001")
        page.select_option("#id_storage_place", index=1)
        page.fill("#id_line-0-ndc", f"01{GTIN}17{expiry:%y%m%d}10RX2231")
        page.press("#id_line-0-ndc", "Enter")  # what a keyboard-wedge scanner sends last
        expect(page.locator("#ndc-info-0")).to_contain_text("infliximab 100 mg")
        expect(page.locator("#ndc-info-0")).to_contain_text("lot RX2231")
        expect(page.locator("#id_line-0-lot_number")).to_have_value("RX2231")
        expect(page.locator("#id_line-0-expires_on")).to_have_value(expiry.isoformat())
        expect(page.locator("#id_line-0-ndc")).to_have_value("57894-0030-01")
        expect(page.locator("#id_line-0-vials")).to_be_focused()
        shot(page, f"receive-gs1-scan-{width}")
    page.fill("#id_line-0-vials", "6")
    page.fill("#id_line-0-cost_per_vial", "330.00")
    page.click("text=Receive into stock")
    expect(page.locator(".messages")).to_contain_text("Received 1 lot")
    lot = Lot.objects.get()
    assert (lot.lot_number, lot.expires_on, lot.on_hand) == ("RX2231", expiry, 6)
