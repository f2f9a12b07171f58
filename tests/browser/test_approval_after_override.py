"""Issue 13 item 9: a coordinator records the approval that arrives after an overridden
booking; the booking counts against it and its override badge clears — in Chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.access.authorizations import services as access
from chairside.access.authorizations.selectors import usage_totals
from chairside.rules.access import authorization_states as states
from chairside.scheduling import services
from chairside.scheduling.tests import factories as sf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"1366": (1366, 900), "1024": (1024, 768)}


def test_the_approval_takes_over_the_overridden_booking(
    page: Any, live_server: Any, shot: Any
) -> None:
    org = f.make_org("Approval After Override Browser Test")
    location = f.make_location(org, name="Riverside Main", chairs=4)
    coordinator = f.make_user(org, "coordinator", username="hannah")
    today = timezone.localdate()
    day = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)  # next Tuesday
    sf.make_shift(sf.make_nurse(org), location, day=day)
    patient = f.make_patient(org, first_name="Grace", last_name="Hopper", weight_kg="70.0")
    order = sf.make_order(
        patient,
        location=location,
        first_dose_on=day,
        signed_on=today,
        expires_on=today + dt.timedelta(days=365),
    )
    order.drug.prior_auth_usually_required = True
    order.drug.save()
    coverage = f.make_coverage(patient, f.make_payer(org))
    start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=location.tz)
    appointment = services.appointment_book(
        organization=org,
        user=coordinator,
        order=order,
        chair=location.chairs.get(name="C01"),
        start=start,
        override_reason="Payer approved by phone, ref 7781; letter to follow",
    ).appointment
    auth = access.authorization_open(order=order, coverage=coverage, user=coordinator)
    access.authorization_transition(
        authorization=auth, user=coordinator, to_status=states.SUBMITTED, on_date=today
    )

    log_in(page, live_server, "hannah", f.TEST_PASSWORD)
    panel = f"{live_server.url}/schedule/appointments/{appointment.public_id}/"
    page.goto(panel)
    expect(page.locator("body")).to_contain_text("Overridden")

    page.goto(f"{live_server.url}/access/authorizations/{auth.public_id}/")
    expect(page.locator("#still-overridden")).to_contain_text("Payer approved by phone")
    approve = page.locator("details.move", has_text="Mark approved")
    approve.locator("summary").click()
    approve.locator("input[name=authorization_number]").fill("PA-7781")
    approve.locator("input[name=start_on]").fill(today.isoformat())
    approve.locator("input[name=end_on]").fill((today + dt.timedelta(days=180)).isoformat())
    approve.locator("input[name=units_authorized]").fill("300")
    approve.locator("input[name=visits_authorized]").fill("6")
    approve.locator("button[type=submit]").click()
    expect(page.locator(".badge-lg")).to_have_text("Approved")
    expect(page.locator(".messages")).to_contain_text(
        "1 booking made under an override now counts against this approval"
    )
    expect(page.locator("#still-overridden")).to_have_count(0)
    for name, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        shot(page, f"authorization-approved-after-override-{name}")

    page.goto(panel)
    expect(page.locator("body")).not_to_contain_text("Overridden")
    expect(page.locator("body")).to_contain_text("PA-7781")
    assert usage_totals(auth)[0] == 1
