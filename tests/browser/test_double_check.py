"""The independent double check at the chair: the second nurse types her own credentials on
the preparing nurse's device (issue 13 item 1) — in Chromium, at desktop and tablet size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from chairside.scheduling.models import NurseShift
from chairside.treatments import services
from chairside.treatments.tests import factories as tf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _prepared_visit() -> tuple[Any, Any]:
    org = f.make_org("Riverside Browser Double Check")
    location = f.make_location(org, chairs=4)
    nurse_user = f.make_user(org, "nurse", "jblake")
    nurse = tf.make_staff(org, "RN", user=nurse_user, first_name="Jordan", last_name="Blake")
    checker_user = f.make_user(org, "nurse", "msantos")
    maria = tf.make_staff(org, "RN", user=checker_user, first_name="Maria", last_name="Santos")
    maria.competencies.create(skill="bls", expires_on=dt.date(2027, 6, 30))
    maria.competencies.create(skill="chemo_biologic", expires_on=dt.date(2027, 6, 30))
    lapsed_user = f.make_user(org, "nurse", "lkim")
    lee = tf.make_staff(org, "RN", user=lapsed_user, first_name="Lee", last_name="Kim")
    lee.competencies.create(skill="bls", expires_on=dt.date(2026, 11, 30))
    lee.competencies.create(skill="chemo_biologic", expires_on=dt.date(2027, 6, 30))
    for staff in (maria, lee):
        NurseShift.objects.create(
            organization=org,
            staff=staff,
            location=location,
            date=tf.DAY,
            starts=dt.time(7, 0),
            ends=dt.time(17, 0),
        )
    patient = f.make_patient(org, first_name="Grace", last_name="Hopper", weight_kg="70.0")
    drug = tf.make_drug(org)
    order = tf.make_order(patient, drug, location=location)
    lot = tf.make_lot(location, drug, vials=10, lot_number="AB1234")
    appointment = tf.make_appointment(order, location, nurse=nurse)
    visit = services.visit_start(appointment=appointment, user=nurse_user)
    visit = tf.do_checks(visit, nurse_user)
    services.preparation_dispense(visit=visit, user=nurse_user, picks=[(lot, 4)])
    services.preparation_save(
        visit=visit,
        user=nurse_user,
        dose_mg=Decimal(350),
        diluent="0.9% sodium chloride",
        bag_volume_ml=Decimal(250),
        final_volume_ml=Decimal(250),
        prepared_at=tf.at("09:15"),
        prepared_by=nurse,
    )
    return visit, nurse_user


def test_the_second_nurse_confirms_with_her_own_password(
    page: Any, live_server: Any, shot: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 8, 9, 30, tzinfo=tf.TZ), tick=True):
        visit, _ = _prepared_visit()
        log_in(page, live_server, "jblake", f.TEST_PASSWORD)
        page.goto(f"{live_server.url}/visits/{visit.public_id}/preparation/")
        form = page.locator("form.cosign")
        expect(form).to_contain_text("She types her own user name and password")
        expect(form.locator("select")).to_have_count(0)  # no list of names to pick from
        for width, height in ((1366, 900), (1024, 768)):
            page.set_viewport_size({"width": width, "height": height})
            shot(page, f"double-check-01-form-{width}")

        # Lee's BLS lapsed on 11/30: refused, and nothing is recorded.
        page.fill("#id_cosigner_username", "lkim")
        page.fill("#id_cosigner_password", f.TEST_PASSWORD)
        page.click("form.cosign button[type=submit]")
        expect(page.locator("#toast")).to_contain_text("Basic life support (BLS) expired 11/30")
        shot(page, "double-check-02-lapsed-bls-refused")

        # Her own user name at the preparing nurse's device: refused.
        page.fill("#id_cosigner_username", "jblake")
        page.fill("#id_cosigner_password", f.TEST_PASSWORD)
        page.click("form.cosign button[type=submit]")
        expect(page.locator("#toast")).to_contain_text("another person")

        page.fill("#id_cosigner_username", "msantos")
        page.fill("#id_cosigner_password", f.TEST_PASSWORD)
        page.click("form.cosign button[type=submit]")
        expect(page.locator("main")).to_contain_text("Checked by Maria Santos, RN")
        shot(page, "double-check-03-checked")
        assert "/login/" not in page.url  # the preparing nurse is still the one logged in
        visit.preparation.refresh_from_db()
        assert visit.preparation.checked_by.last_name == "Santos"


def test_the_witness_of_a_waste_confirms_with_her_own_password(
    page: Any, live_server: Any, shot: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 8, 9, 30, tzinfo=tf.TZ), tick=True):
        visit, _ = _prepared_visit()
        drug = visit.order.drug
        drug.waste_witness_required = True  # the center's policy for this drug
        drug.save()
        log_in(page, live_server, "jblake", f.TEST_PASSWORD)
        page.goto(f"{live_server.url}/visits/{visit.public_id}/preparation/")
        card = page.locator("#waste-witness")
        expect(card).to_contain_text("discard the 50 mg left in the opened vials")
        expect(card.locator("select")).to_have_count(0)  # no list of names to pick from
        expect(page.locator("#missing")).to_contain_text("witness the waste")
        for width, height in ((1366, 900), (1024, 768)):
            page.set_viewport_size({"width": width, "height": height})
            card.scroll_into_view_if_needed()
            shot(page, f"waste-witness-01-form-{width}")

        # The nurse at the device cannot witness her own waste.
        page.fill("#waste_cosigner_username", "jblake")
        page.fill("#waste_cosigner_password", f.TEST_PASSWORD)
        card.locator("button[type=submit]").click()
        expect(page.locator("#toast")).to_contain_text("another person")

        page.fill("#waste_cosigner_username", "msantos")
        page.fill("#waste_cosigner_password", f.TEST_PASSWORD)
        card.locator("button[type=submit]").click()
        expect(page.locator("#waste-witness")).to_contain_text(
            "Waste of 50 mg witnessed by Maria Santos, RN"
        )
        expect(page.locator("#missing")).not_to_contain_text("witness the waste")
        for width, height in ((1366, 900), (1024, 768)):
            page.set_viewport_size({"width": width, "height": height})
            shot(page, f"waste-witness-02-witnessed-{width}")
        assert "/login/" not in page.url
        visit.preparation.refresh_from_db()
        assert visit.preparation.waste_witnessed_by.last_name == "Santos"
