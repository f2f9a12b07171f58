"""An allergy typed at check-in reaches the chart and the banner at once, and stops today's
drug when it names it (issue 13 item 2) — in Chromium, at desktop and tablet size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from chairside.treatments import services
from chairside.treatments.tests import factories as tf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_allergy_reaches_the_banner_and_stops_todays_drug(
    page: Any, live_server: Any, shot: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 8, 9, 10, tzinfo=tf.TZ), tick=True):
        org = f.make_org("Riverside Browser Allergy")
        location = f.make_location(org, chairs=4)
        nurse_user = f.make_user(org, "nurse", "jblake")
        nurse = tf.make_staff(org, "RN", user=nurse_user, first_name="Jordan", last_name="Blake")
        patient = f.make_patient(org, first_name="Grace", last_name="Hopper", weight_kg="70.0")
        order = tf.make_order(patient, tf.make_drug(org), location=location)
        appointment = tf.make_appointment(order, location, nurse=nurse)
        visit = services.visit_start(appointment=appointment, user=nurse_user)

        log_in(page, live_server, "jblake", f.TEST_PASSWORD)
        page.goto(f"{live_server.url}/visits/{visit.public_id}/checks/")
        expect(page.locator("#allergy-line")).to_contain_text("none on the chart")
        form = page.locator("form.new-allergy")
        form.get_by_label("New allergy: substance").fill("Remicade")
        form.get_by_label("Reaction (e.g. hives)").fill("hives")
        form.locator("select").select_option("severe")
        form.get_by_role("button", name="Add to the chart").click()
        expect(page.locator("#allergy-line")).to_contain_text("infliximab (hives)")
        expect(page.locator("#allergy-status")).to_contain_text("do not give it")
        expect(page.locator("#missing")).to_contain_text("Today's drug is infliximab")
        expect(form.get_by_label("New allergy: substance")).to_have_value("")
        expect(
            page.get_by_label("Allergy to today's drug: give it anyway, decided by (provider)")
        ).to_be_visible()
        for width, height in ((1366, 900), (1024, 768)):
            page.set_viewport_size({"width": width, "height": height})
            shot(page, f"allergy-01-added-{width}")
        assert patient.allergies.get().severity == "severe"
