"""Book a patient's treatment series from the chart and see it on the day board — in Chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.scheduling.models import Appointment
from chairside.scheduling.tests import factories as sf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7 or 7)


def test_a_coordinator_books_a_series_and_sees_it_on_the_board(
    page: Any, live_server: Any, shot: Any
) -> None:
    org = f.make_org("Riverside Browser Scheduling")
    location = f.make_location(org, name="Riverside Main", chairs=4)
    f.make_user(org, "coordinator", username="hannah")
    nurse = sf.make_nurse(org)
    first = next_weekday(timezone.localdate() + dt.timedelta(days=2), 1)  # a Tuesday
    for week in range(3):
        sf.make_shift(nurse, location, day=first + dt.timedelta(weeks=week))
    patient = f.make_patient(org, first_name="Grace", last_name="Hopper", weight_kg="70.0")
    order = sf.make_order(
        patient,
        location=location,
        first_dose_on=first,
        signed_on=timezone.localdate(),
        expires_on=timezone.localdate() + dt.timedelta(days=365),
        number_of_doses=3,
    )

    log_in(page, live_server, "hannah", "pw-test-123")
    page.goto(f"{live_server.url}/patients/{patient.public_id}/")
    page.click("text=Series: infliximab")
    expect(page.locator("table.series tbody tr")).to_have_count(3)
    expect(page.locator("table.series")).to_contain_text("OK")
    shot(page, "scheduling-01-series-proposed")

    page.click("text=Book the ticked doses together")
    page.wait_for_selector("#board")
    expect(page.locator(".messages")).to_contain_text("Booked 3 doses for Hopper, Grace")
    block = page.locator("button.appt", has_text="Hopper, G.")
    expect(block).to_have_count(1)
    expect(block).to_contain_text("JB")  # the nurse on shift, by initials
    shot(page, "scheduling-02-board-with-dose-1")

    block.click()
    expect(page.locator("#panel")).to_contain_text("dose 1")
    shot(page, "scheduling-03-panel")
    assert Appointment.objects.filter(order=order, status="booked").count() == 3
    series = set(Appointment.objects.filter(order=order).values_list("series_id", flat=True))
    assert len(series) == 1

    page.goto(f"{live_server.url}/patients/{patient.public_id}/")
    expect(page.locator("#appointments")).to_contain_text("dose 3")
    shot(page, "scheduling-04-chart-appointments")
