"""A patient answers a reminder's link on a phone-sized screen; the coordinator sees the
request in the queue and sets the patient's reminder preferences."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.reminders.services import reminder_token
from chairside.scheduling import services
from chairside.scheduling.tests import factories as sf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _booking() -> Any:
    today = timezone.localdate()
    day = today + dt.timedelta(days=7 + (1 - today.weekday()) % 7)  # a Tuesday a week out
    org = f.make_org("Reminder Browser Test")
    location = f.make_location(org, name="Northside Infusion", chairs=2)
    patient = f.make_patient(
        org, first_name="Grace", last_name="Hopper", phone="555-201-0101", weight_kg="70.0"
    )
    order = sf.make_order(
        patient,
        first_dose_on=day,
        signed_on=today - dt.timedelta(days=20),
        expires_on=today + dt.timedelta(days=300),
    )
    sf.make_shift(sf.make_nurse(org), location, day=day)
    coordinator = f.make_user(org, "coordinator", username="casey")
    chair = location.chairs.order_by("sort_order").first()
    return services.appointment_book(
        organization=org, user=coordinator, order=order, chair=chair, start=sf.at("09:00", day)
    ).appointment


def test_a_patient_asks_to_reschedule_and_the_coordinator_sees_it(
    page: Any, live_server: Any, shot: Any
) -> None:
    appointment = _booking()
    link = f"{live_server.url}/reminders/r/{reminder_token(appointment)}/"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Your appointment")
    expect(page.locator("main")).to_contain_text("Northside Infusion")
    shot(page, "reminder-link-390")
    page.click("text=I need another time")
    expect(page.locator("main")).to_contain_text("the center will call you")
    shot(page, "reminder-link-requested-390")
    page.goto(f"{live_server.url}/reminders/r/{reminder_token(appointment)}x/")
    expect(page.locator("h1")).to_have_text("This link is not valid")
    shot(page, "reminder-link-invalid-390")

    log_in(page, live_server, "casey", "pw-test-123")
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/")
        expect(page.locator("main")).to_contain_text("Patients asking to reschedule")
        page.goto(f"{live_server.url}/reminders/requests/")
        expect(page.locator("table")).to_contain_text("Grace Hopper")
        shot(page, f"reschedule-requests-{width}")
        page.goto(f"{live_server.url}/patients/{appointment.patient.public_id}/contact/")
        shot(page, f"reminder-preferences-{width}")
    page.select_option("#id_channel", "sms")
    page.check("#id_sms_consent")
    page.click("text=Save")
    expect(page.locator("main")).to_contain_text("texts consented")
    page.goto(f"{live_server.url}/reminders/requests/")
    page.click("button:has-text('Done')")
    expect(page.locator("main")).to_contain_text("No requests waiting")
