"""Issue 13.4 / 11.2: a physician signs the orders a coordinator typed from faxed paperwork."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.access.referrals import services
from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.tests import factories as rf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"1366": (1366, 900), "1024": (1024, 768)}


def _center() -> tuple[Any, list[TreatmentOrder]]:
    org = f.make_org("To-sign Browser Test")
    f.make_location(org, name="Main suite", chairs=4)
    coordinator = f.make_user(org, "coordinator", username="coord")
    coordinator.first_name, coordinator.last_name = "Dana", "Price"
    coordinator.save()
    doctor = f.make_user(org, "provider", username="doc")
    doctor.first_name, doctor.last_name = "Elena", "Marsh"
    doctor.save()
    people = [
        ("Naomi", "Friedman", "64.0", "infliximab"),
        ("Luis", "Ortega", "82.0", "ocrelizumab"),
    ]
    orders = []
    for first, last, kg, key in people:
        patient = f.make_patient(
            org, first_name=first, last_name=last, weight_kg=kg, date_of_birth=dt.date(1980, 3, 4)
        )
        orders.append(rf.make_order(patient, key, user=coordinator, signed=False))
    # A signed order whose dose the coordinator then changed: its signature is voided.
    third = f.make_patient(org, first_name="Ruth", last_name="Klein", weight_kg="70.0")
    changed = rf.make_order(third, "infliximab")
    services.order_update(order=changed, user=coordinator, dose_mg_per_kg=Decimal("10"))
    return org, [*orders, changed]


def test_a_physician_signs_the_waiting_orders_from_today(
    page: Any, live_server: Any, shot: Any
) -> None:
    _, orders = _center()
    log_in(page, live_server, "doc", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/")
    card = page.locator(".card, a", has_text="Orders to sign").first
    expect(card).to_contain_text("3")
    page.goto(f"{live_server.url}/referrals/orders/to-sign/")
    expect(page.locator("h1")).to_contain_text("Orders to sign")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tbody")).to_contain_text("signature voided: changed: dose")
    for name, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        shot(page, f"orders-01-to-sign-{name}")

    # The voided one: open it, see it in red, sign it there.
    page.click(f"a[href$='{orders[2].public_id}/']")
    expect(page.locator(".signature-alert")).to_contain_text("signature was voided")
    expect(page.locator(".badge.bad")).to_contain_text("Signature voided")
    for name, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        shot(page, f"orders-02-voided-{name}")
    page.click("button:has-text('Sign this order')")
    expect(page.locator(".messages")).to_contain_text("signed")
    expect(page.locator(".signature")).to_contain_text("by Elena Marsh")

    # The two drafts: choose every order and sign them at once.
    page.goto(f"{live_server.url}/referrals/orders/to-sign/")
    page.check("#pick-all")
    expect(page.locator("input[name=order]:checked")).to_have_count(2)
    page.click("button:has-text('Sign the chosen orders')")
    expect(page.locator(".messages")).to_contain_text("Signed 2 orders")
    expect(page.locator("main")).to_contain_text("Nothing is waiting for your signature")
    page.goto(f"{live_server.url}/referrals/orders/{orders[0].public_id}/")
    expect(page.locator(".signature")).to_contain_text("Entered by Dana Price")
    expect(page.locator(".signature")).to_contain_text("by Elena Marsh")
    for name, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        shot(page, f"orders-03-signed-{name}")
    assert all(o.is_signed for o in TreatmentOrder.objects.all())
