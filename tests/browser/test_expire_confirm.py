"""A pharmacist sees which expired vials will leave the shelf, and their value, before
confirming."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.inventory.models import Lot
from chairside.inventory.tests import factories as inv
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_expired_vials_are_listed_then_removed_on_confirmation(
    page: Any, live_server: Any, shot: Any
) -> None:
    org = f.make_org("Expiry Browser Test")
    location = f.make_location(org, name="Main suite", chairs=2)
    fridge = inv.make_place(location, "Pharmacy refrigerator 1")
    pkg = inv.package(inv.make_drug(org))
    old = inv.make_lot(fridge, pkg, vials=3, lot_number="OLD1")
    older = inv.make_lot(fridge, pkg, vials=2, lot_number="OLD2")
    inv.make_lot(fridge, pkg, vials=8, lot_number="GOOD1")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Lot.objects.filter(pk__in=[old.pk, older.pk]).update(expires_on=yesterday)
    f.make_user(org, "pharmacist", username="grace")

    log_in(page, live_server, "grace", "pw-test-123")
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/inventory/expiring/")
        page.click("text=Take all expired vials off the shelf")
        expect(page.locator("h1")).to_have_text("Take expired vials off the shelf")
        table = page.locator("table.expire-list")
        expect(table).to_contain_text("OLD1")
        expect(table).to_contain_text("OLD2")
        expect(table).not_to_contain_text("GOOD1")
        expect(table.locator("tfoot")).to_contain_text("$1,650.00")
        shot(page, f"expire-confirm-{width}")
    page.click("text=Remove 5 vials from stock")
    expect(page.locator(".messages")).to_contain_text("5 expired vials of 2 lots")
    assert sorted(Lot.objects.values_list("lot_number", "on_hand")) == [
        ("GOOD1", 8),
        ("OLD1", 0),
        ("OLD2", 0),
    ]
