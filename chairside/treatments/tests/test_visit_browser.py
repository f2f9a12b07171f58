"""A nurse takes a patient from check-in to a signed report in Chromium, on a tablet screen.

Screenshots of every step go to test-output/screenshots/visit-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from chairside.scheduling.models import NurseShift
from chairside.treatments.models import Visit, VisitReport
from chairside.treatments.tests import factories as tf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock() -> Iterator[Any]:
    # Tuesday 12/08/2026 12:30 in New York, ticking: the day's documentation is in the past.
    with time_machine.travel(dt.datetime(2026, 12, 8, 12, 30, tzinfo=tf.TZ), tick=True) as t:
        yield t


@pytest.fixture
def tablet(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()


@pytest.fixture
def center(clock: Any) -> dict[str, Any]:
    org = f.make_org("Browser Visit Practice")
    location = f.make_location(org, chairs=3, name="Main suite")
    nurse_user = f.make_user(org, "nurse", username="nurse.blake")
    f.make_user(org, "coordinator", username="front.desk")
    nurse = tf.make_staff(org, "RN", user=nurse_user, first_name="Jordan", last_name="Blake")
    # The second checker: her own log-in, current competencies, on the rota today.
    maria = tf.make_staff(
        org,
        "RN",
        user=f.make_user(org, "nurse", username="maria.santos"),
        first_name="Maria",
        last_name="Santos",
    )
    for skill in ("bls", "chemo_biologic"):
        maria.competencies.create(skill=skill, expires_on=dt.date(2027, 6, 30))
    NurseShift.objects.create(
        organization=org,
        staff=maria,
        location=location,
        date=tf.DAY,
        starts=dt.time(7, 0),
        ends=dt.time(17, 0),
    )
    tf.make_staff(org, "MD", first_name="Elena", last_name="Marsh")
    patient = f.make_patient(org, first_name="Grace", last_name="Hopper", weight_kg="70.0")
    drug = tf.make_drug(org)
    order = tf.make_order(
        patient, drug, location=location, premedications="Acetaminophen 650 mg PO"
    )
    tf.make_appointment(order, location, status="confirmed", start=tf.at("09:30"), nurse=nurse)
    lot = tf.make_lot(location, drug, vials=10, lot_number="AB1234")
    return {"org": org, "lot": lot, "patient": patient}


def saved(page: Any, text: str = "Saved") -> None:
    toast = page.locator("#toast .toast-msg").last
    expect(toast).to_contain_text(text)
    page.evaluate("document.getElementById('toast').innerHTML = ''")


def refused(page: Any, text: str) -> None:
    expect(page.locator("#toast .toast-msg.bad")).to_contain_text(text)


def draw_signature(page: Any) -> None:
    canvas = page.locator(".signature-pad canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 120)
    page.mouse.down()
    for i in range(12):
        page.mouse.move(box["x"] + 40 + i * 40, box["y"] + 70 + (30 if i % 2 else -25), steps=4)
    page.mouse.up()


def fill_vitals(page: Any, at: str, values: dict[str, str]) -> None:
    form = page.locator("form.vitals-form")
    form.locator("[name=taken_at]").fill(at)
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)
    form.get_by_role("button", name="Save vital signs").click()


NORMAL = {
    "systolic": "124",
    "diastolic": "78",
    "pulse": "72",
    "temperature": "98.2",  # °F, the form's default unit: stored as 36.8 °C
    "spo2": "98",
    "respiratory_rate": "16",
}


def check_in(page: Any, live_server: Any, shot: Any) -> None:
    page.goto(f"{live_server.url}/")
    expect(page.locator("a.stat", has_text="My patients today")).to_be_visible()
    shot(page, "visit-01-today")
    page.locator("a.stat", has_text="My patients today").click()
    row = page.locator(".chair-row", has_text="Hopper")
    expect(row).to_contain_text("Confirmed")
    shot(page, "visit-02-my-patients")
    row.get_by_role("button", name="Check in & start").click()
    expect(page.locator("h2.step-title")).to_have_text("1 · Check-in checks")


def do_checks(page: Any, shot: Any) -> None:
    shot(page, "visit-03-checks-to-do")
    page.get_by_role("checkbox", name="Full name").check()
    saved(page)
    page.get_by_role("checkbox", name="Date of birth").check()
    saved(page)
    draw_signature(page)
    page.get_by_role("button", name="Save signed consent").click()
    saved(page, "Consent signed")
    page.get_by_label("Allergies reviewed with the patient").check()
    saved(page)
    # Nothing on the chart: the review alone leaves the allergy status unknown.
    expect(page.locator("#missing")).to_contain_text("No allergy status on the chart")
    page.get_by_label("Patient reports no known drug allergies").check()
    saved(page)
    expect(page.locator("#allergy-line")).to_contain_text("No known drug allergies")
    expect(page.locator("#missing")).not_to_contain_text("allergy status")
    # The scale shows pounds (the form's default unit); the chart keeps kg.
    expect(page.get_by_label("Weight unit")).to_have_value("lb")
    page.get_by_label("Today's weight", exact=True).fill("155.2")
    page.get_by_label("Today's weight", exact=True).press("Tab")
    saved(page)
    expect(page.locator("#weight-today")).to_have_text("70.4 kg (155.2 lb)")
    expect(page.locator("#dose-plan")).to_contain_text("350 mg")
    fill_vitals(page, "09:40", {**NORMAL, "systolic": "1200"})
    refused(page, "Systolic blood pressure 1200 mmHg is not possible")
    shot(page, "visit-04-impossible-vitals-refused")
    page.locator("form.vitals-form [name=systolic]").fill("124")
    page.locator("form.vitals-form").get_by_role("button", name="Save vital signs").click()
    saved(page, "Vital signs saved")
    page.get_by_label("Premedications given").fill("Acetaminophen 650 mg PO")
    page.get_by_label("Given at").fill("09:45")
    page.get_by_label("Given at").press("Tab")
    saved(page)
    expect(page.locator("#stepbar li").first).to_contain_text("done")
    shot(page, "visit-05-checks-done")


def do_preparation(page: Any, shot: Any) -> None:
    page.get_by_role("link", name="Next: preparation →").click()
    expect(page.locator("tr.suggested")).to_contain_text("AB1234")
    shot(page, "visit-06-preparation-fefo")
    page.get_by_role("button", name="Dispense these vials").click()
    saved(page, "Vials dispensed")
    page.get_by_label("Final volume (mL)").fill("250")
    page.get_by_label("Bag volume (mL)").fill("250")
    page.get_by_label("Prepared at").fill("09:55")
    page.get_by_role("button", name="Save preparation").click()
    saved(page, "Preparation saved")
    expect(page.locator("#preparation")).to_contain_text("1.4 mg/mL")
    # Maria types her own user name and password on Jordan's tablet.
    page.get_by_label("Checker's user name").fill("maria.santos")
    page.get_by_label("Checker's password").fill(f.TEST_PASSWORD)
    page.get_by_role("button", name="Checked — correct").click()
    saved(page, "Checked by Maria Santos")
    # What was typed is on the server: the re-rendered form offers no "unsaved" draft.
    expect(page.locator("#preparation")).to_contain_text("Checked by Maria Santos")
    expect(page.locator("#preparation .draft-offer")).to_have_count(0)
    shot(page, "visit-07-preparation-checked")


def do_administration(page: Any, shot: Any) -> None:
    page.get_by_role("link", name="Next: administration →").click()
    page.locator("#id_started_at").fill("10:05")
    page.locator("#id_site").fill("L forearm, 22G")
    page.get_by_label("Starting rate (mL/h)").fill("50")
    page.get_by_role("button", name="Start infliximab").click()
    saved(page, "Started")
    expect(page.locator(".run-state")).to_contain_text("Running")
    rate = page.locator("form", has_text="Change rate")
    rate.locator("[name=at]").fill("10:20")
    rate.locator("[name=rate_ml_h]").fill("125")
    rate.get_by_role("button", name="Change rate").click()
    saved(page, "Rate changed")
    shot(page, "visit-08-infusing")
    stop = page.locator("form.stop")
    stop.locator("[name=stopped_at]").fill("10:00")
    stop.get_by_role("button", name=re.compile("Stop")).click()
    refused(page, "The stop time 10:00 is not after the start time 10:05")
    stop.locator("[name=stopped_at]").fill("12:10")
    stop.get_by_role("button", name=re.compile("Stop")).click()
    saved(page, "Stopped")
    expect(page.locator(".run-state")).to_contain_text("350 mg given")
    shot(page, "visit-09-infusion-complete")


def do_discharge(page: Any, shot: Any) -> None:
    page.get_by_role("link", name=re.compile("Next: observation")).click()
    fill_vitals(page, "12:15", NORMAL)
    saved(page, "Vital signs saved")
    page.get_by_label("Supervising physician / NP on site").select_option(label="Elena Marsh, MD")
    saved(page)
    page.get_by_label("Condition at discharge").select_option("stable")
    saved(page)
    page.get_by_label("Discharged at").fill("12:20")
    page.get_by_label("Discharged at").press("Tab")
    saved(page)
    expect(page.locator("#missing")).to_contain_text("All steps done")
    shot(page, "visit-10-discharge")


def test_a_nurse_takes_a_patient_from_check_in_to_a_signed_report(
    tablet: Any,
    live_server: Any,
    shot: Any,
    center: dict[str, Any],
) -> None:
    page = tablet
    log_in(page, live_server, "nurse.blake", f.TEST_PASSWORD)
    check_in(page, live_server, shot)
    do_checks(page, shot)
    do_preparation(page, shot)
    do_administration(page, shot)
    do_discharge(page, shot)

    page.get_by_role("link", name=re.compile("Next: review and sign")).click()
    expect(page.locator(".record")).to_contain_text("lot AB1234")
    shot(page, "visit-11-review")
    page.get_by_role("button", name="Sign and lock the visit").click()
    expect(page.locator("h2.step-title")).to_have_text("Signed record")
    expect(page.locator(".messages")).to_contain_text("Visit signed")
    shot(page, "visit-12-signed-with-report")

    visit = Visit.objects.get()
    assert visit.is_signed and visit.appointment.status == "completed"
    center["lot"].refresh_from_db()
    assert center["lot"].on_hand == 6
    report = VisitReport.objects.get()
    pdf = page.request.get(f"{live_server.url}/visits/reports/{report.public_id}/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "front.desk", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/visits/reports/")
    row = page.locator("tr", has_text="Hopper")
    row.locator("input[name=note]").fill("Fax confirmation 0042")
    shot(page, "visit-13-report-queue")
    row.get_by_role("button", name="Mark sent").click()
    expect(page.locator(".messages")).to_contain_text("marked sent")
    report.refresh_from_db()
    assert report.status == "sent" and report.sent_note == "Fax confirmation 0042"


def test_entries_typed_while_offline_are_kept_and_offered_back(
    tablet: Any,
    live_server: Any,
    shot: Any,
    center: dict[str, Any],
) -> None:
    page = tablet
    log_in(page, live_server, "nurse.blake", f.TEST_PASSWORD)
    check_in(page, live_server, shot)
    form = page.locator("form.vitals-form")
    for name, value in NORMAL.items():
        form.locator(f"[name={name}]").fill(value)
    page.context.set_offline(True)
    form.get_by_role("button", name="Save vital signs").click()
    refused(page, "no connection")
    page.context.set_offline(False)
    page.reload()
    offer = page.locator("form.vitals-form .draft-offer")
    expect(offer).to_contain_text("were not saved")
    shot(page, "visit-14-draft-offered-after-reconnect")
    offer.get_by_role("button", name="Restore them").click()
    expect(page.locator("form.vitals-form [name=systolic]")).to_have_value("124")
    page.locator("form.vitals-form").get_by_role("button", name="Save vital signs").click()
    saved(page, "Vital signs saved")
    vitals = Visit.objects.get().vitals.get()
    assert (vitals.systolic, vitals.temperature_c) == (124, Decimal("36.8"))


def test_the_prep_gate_waits_for_the_checks_unless_a_reason_is_recorded(
    tablet: Any,
    live_server: Any,
    shot: Any,
    center: dict[str, Any],
) -> None:
    page = tablet
    log_in(page, live_server, "nurse.blake", f.TEST_PASSWORD)
    check_in(page, live_server, shot)
    page.goto(page.url.replace("/checks/", "/preparation/"))
    gate = page.locator("#prep-gate")
    expect(gate).to_contain_text("Finish the check-in checks before preparing the dose")
    expect(page.get_by_role("button", name="Dispense these vials")).to_have_count(0)
    shot(page, "visit-prep-gate")
    gate.get_by_text("Prepare early…").click()
    gate.get_by_label("Why prepare before check-in").select_option("long_preparation")
    gate.get_by_label("Note").fill("3-hour reconstitution")
    gate.get_by_role("button", name="Record and allow preparation").click()
    expect(page.locator(".early-prep")).to_contain_text(
        "Prepared before check-in: Long preparation time — 3-hour reconstitution"
    )
    expect(page.get_by_role("button", name="Dispense these vials")).to_be_visible()
    shot(page, "visit-prep-gate-early-reason")
