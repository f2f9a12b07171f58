"""The pharmacist starts from Today, verifies booked doses in the queue, records why one is
prepared before the patient checks in (the prep gate), then prepares it: the dispense page
opens filled in with the patient, drug, dose and the lots to take."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.scheduling.models import Appointment
from chairside.treatments.models import DoseVerification
from chairside.treatments.tests import factories as tf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _book(order: Any, location: Any, day: dt.date, hhmm: str, dose_number: int = 1) -> Any:
    start = tf.at(hhmm, day)
    return Appointment.objects.create(
        organization=order.organization,
        patient=order.patient,
        order=order,
        location=location,
        chair=location.chairs.order_by("sort_order").first(),
        start=start,
        end=start + dt.timedelta(hours=2),
        dose_number=dose_number,
    )


def test_a_pharmacist_verifies_todays_doses_and_prepares_one(
    page: Any, live_server: Any, shot: Any
) -> None:
    today = timezone.localdate()
    org = f.make_org("Pharmacy Queue Browser Test")
    location = f.make_location(org, name="Main suite", chairs=4)
    drug = tf.make_drug(org)
    tf.make_lot(location, drug, vials=20, lot_number="RX2231")
    user = f.make_user(org, "pharmacist", username="grace")
    tf.make_staff(org, "PharmD", user=user, first_name="Grace", last_name="Kim")
    hopper = f.make_patient(org, first_name="Grace", last_name="Hopper", weight_kg="70.0")
    lovelace = f.make_patient(org, first_name="Ada", last_name="Lovelace", weight_kg="82.4")
    first = _book(tf.make_order(hopper, drug, first_dose_on=today), location, today, "09:00")
    ada_order = tf.make_order(lovelace, drug, first_dose_on=today, weight_kg_at_order=None)
    _book(ada_order, location, today + dt.timedelta(days=1), "10:30", dose_number=2)

    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        if width == 1366:
            log_in(page, live_server, "grace", "pw-test-123")
            card = page.locator("a.stat", has_text="Doses to verify")
            expect(card.locator(".count")).to_have_text("2")
            card.click()
        else:
            page.goto(f"{live_server.url}/inventory/queue/")
        expect(page.locator("h1")).to_contain_text("Doses to verify")
        expect(page.locator("table.queue").first).to_contain_text("Hopper, Grace")
        expect(page.locator("table.queue").last).to_contain_text("Lovelace, Ada")
        shot(page, f"pharmacy-queue-01-to-verify-{width}")

    page.set_viewport_size({"width": 1366, "height": 900})
    row = page.locator(f"#dose-{first.public_id}")
    expect(row).to_contain_text("350 mg")
    expect(row).to_contain_text("RX2231")
    row.locator("button", has_text="Verify").click()
    expect(page.locator(".messages")).to_contain_text("Verified 350 mg")
    ada = page.locator("tr", has_text="Lovelace")
    expect(ada).to_contain_text("412 mg")  # 5 mg/kg x 82.4 kg, the latest weight
    ada.locator("button", has_text="Verify").click()
    expect(page.locator(".queue-summary")).to_contain_text("0 doses waiting")
    shot(page, "pharmacy-queue-02-verified-1366")
    assert DoseVerification.objects.count() == 2

    # The prep gate (issue 16): Grace Hopper has not checked in, so the queue offers no
    # "Prepare" until a reason to prepare early is recorded.
    row = page.locator(f"#dose-{first.public_id}")
    expect(row.locator("a", has_text="Prepare")).to_have_count(0)
    expect(row).to_contain_text("Prepare after check-in")
    row.locator("summary", has_text="Prepare early").click()
    row.locator("select[name=reason]").select_option("long_preparation")
    row.locator("input[name=note]").fill("Slow reconstitution; patient confirmed yesterday")
    row.locator("button", has_text="Record and allow preparation").click()
    expect(page.locator(f"#dose-{first.public_id}")).to_contain_text("Early prep")
    shot(page, "pharmacy-queue-02b-early-prep-1366")
    page.locator(f"#dose-{first.public_id}").locator("a", has_text="Prepare").click()
    expect(page.locator("h1")).to_have_text("Dispense a dose")
    expect(page.locator("#id_dose_mg")).to_have_value("350")
    expect(page.locator("#plan")).to_contain_text("RX2231")
    shot(page, "pharmacy-queue-03-prepare-1366")
    page.click("text=Dispense to")
    expect(page.locator(".messages")).to_contain_text("Dispensed 4 vials")
    page.goto(f"{live_server.url}/inventory/queue/")
    expect(page.locator(f"#dose-{first.public_id}")).to_contain_text("Dispensed")
    page.set_viewport_size({"width": 1024, "height": 768})
    shot(page, "pharmacy-queue-04-dispensed-1024")
