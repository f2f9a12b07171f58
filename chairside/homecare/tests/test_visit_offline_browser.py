"""In Chromium on a tablet: the nurse documents a home visit with the connection down; the
vital signs are kept in the browser with a notice, and reach the server when the
connection returns. The tablet's clock is 45 minutes slow: the notice says how long ago the
entry was saved on the tablet (never a clock time), and the page then shows the tablet's
time beside the server's receipt. Screenshots of the documentation page at 1366 and 1024
wide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from chairside.homecare.models import HomeVitals
from chairside.homecare.tests import factories as hf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]
TZ = ZoneInfo("America/New_York")
DAY = dt.date(2026, 12, 8)


@pytest.fixture
def clock() -> Iterator[Any]:
    # Tuesday 12/08/2026 11:00 in New York, ticking: the morning's readings are in the past.
    with time_machine.travel(dt.datetime(2026, 12, 8, 11, 0, tzinfo=TZ), tick=True) as t:
        yield t


def test_vitals_typed_offline_reach_the_server_when_back_online(
    live_server: Any, browser: Any, shot: Any, org: Any, home: Any
) -> None:
    user = f.make_user(org, "nurse", username="clara")
    nurse = hf.make_staff(org, "RN", user=user)
    patient = hf.make_home_patient(org, home, first_name="Rosa", last_name="Diaz")
    hf.make_home_order(patient, start_date=DAY - dt.timedelta(days=3))
    visit = hf.make_visit(patient, home, DAY, nurse=nurse, purpose="PICC care, vancomycin")
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    # The tablet's clock is 45 minutes slow (10:15 when the server says 11:00).
    page.clock.install(time=dt.datetime(2026, 12, 8, 10, 15, tzinfo=TZ))
    log_in(page, live_server, "clara", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/homecare/my-route/?date={DAY.isoformat()}")
    shot(page, "homecare-my-route-document-1024")
    page.click("text=Document visit")
    expect(page.locator("h1")).to_contain_text("Home visit: Rosa Diaz")

    context.set_offline(True)
    form = page.locator("#vitals-form")
    form.locator("input[name=taken_at]").fill("10:05")
    form.locator("input[name=systolic]").fill("128")
    form.locator("input[name=diastolic]").fill("82")
    form.locator("input[name=pulse]").fill("76")
    form.locator("button[type=submit]").click()
    notice = page.locator("#offline-status")
    expect(notice).to_contain_text("kept on this tablet and not sent yet")
    expect(notice).to_contain_text("Vital signs (saved just now)")
    expect(notice).to_contain_text("Times are counted on this tablet")
    expect(notice).not_to_contain_text("10:1")  # no tablet clock time that looks official
    page.clock.fast_forward("03:00")
    expect(notice).to_contain_text("Vital signs (saved 3 min ago)")
    assert not HomeVitals.objects.exists()
    kept = page.evaluate(f"window.localStorage.getItem('chairside-homevisit:{visit.public_id}')")
    assert kept and '"128"' in kept
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"homecare-visit-offline-{width}")

    context.set_offline(False)
    expect(page.locator("#vitals table")).to_contain_text("128/82", timeout=30_000)
    row = HomeVitals.objects.get(home_visit=visit)
    assert (row.systolic, row.diastolic, row.pulse) == (128, 82, 76)
    # The tablet's entered-at time (about 10:15 by its slow clock) is kept beside the
    # server's receipt (after 11:00), and the page shows both.
    assert row.client_entered_at is not None
    entered = row.client_entered_at.astimezone(TZ)
    assert dt.datetime(2026, 12, 8, 10, 15, tzinfo=TZ) <= entered
    assert entered <= dt.datetime(2026, 12, 8, 10, 17, tzinfo=TZ)
    assert row.clock_gap >= 40
    clock_note = page.locator("#vitals .entry-clock")
    expect(clock_note).to_contain_text("by the tablet's clock")
    expect(clock_note).to_contain_text("by the server")
    assert (
        page.evaluate(f"window.localStorage.getItem('chairside-homevisit:{visit.public_id}')")
        is None
    )
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"homecare-visit-document-{width}")
    context.close()


def test_the_nurse_documents_and_signs_online(
    live_server: Any, browser: Any, shot: Any, org: Any, home: Any
) -> None:
    user = f.make_user(org, "nurse", username="clara")
    nurse = hf.make_staff(org, "RN", user=user)
    patient = hf.make_home_patient(org, home, first_name="Rosa", last_name="Diaz")
    hf.make_home_order(patient, start_date=DAY - dt.timedelta(days=3))
    visit = hf.make_visit(patient, home, DAY, nurse=nurse, purpose="PICC care, vancomycin")
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    log_in(page, live_server, "clara", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/homecare/visits/{visit.public_id}/")

    vitals = page.locator("#vitals-form")
    vitals.locator("input[name=taken_at]").fill("09:10")
    vitals.locator("input[name=spo2]").fill("30")  # impossible: refused, nothing saved
    vitals.locator("button[type=submit]").click()
    expect(page.locator("#vitals-form .errorlist")).to_be_visible()  # the page with the error
    assert not HomeVitals.objects.exists()
    vitals = page.locator("#vitals-form")
    vitals.locator("input[name=spo2]").fill("97")
    vitals.locator("input[name=pulse]").fill("72")
    vitals.locator("button[type=submit]").click()
    expect(page.locator("#vitals table")).to_contain_text("97 %")
    assert HomeVitals.objects.get().pulse == 72

    dose = page.locator("#dose-form")
    dose.locator("input[name=site]").fill("PICC right arm")
    dose.locator("input[name=started_at]").fill("09:15")
    dose.locator("input[name=stopped_at]").fill("10:15")
    dose.locator("button[type=submit]").click()
    expect(page.locator("#doses table")).to_contain_text("Vancomycin")

    page.click("#reactions summary")
    expect(page.locator("#reaction-form")).to_be_visible()
    shot(page, "homecare-visit-reaction-form-1024")

    times = page.locator("#times form")
    times.locator("input[name=arrived_at]").fill("09:00")
    times.locator("input[name=departed_at]").fill("10:30")
    times.locator("textarea[name=notes]").fill("PICC dressing changed; site clean.")
    times.locator("button[type=submit]").click()
    expect(page.locator(".gaps")).to_have_count(0)
    page.click("#sign-form button[type=submit]")
    expect(page.locator("#sign")).to_contain_text("The record is locked")
    visit.refresh_from_db()
    assert (visit.status, visit.documented_minutes) == ("completed", 90)
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"homecare-visit-signed-{width}")
    context.close()
