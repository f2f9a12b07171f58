"""Issue 21 item 6 in the browser: a push is recorded with its stop time in one action, and
a visit with hydration still running cannot be signed until it is stopped; the refusal names
the administration and its link leads to its stop form. Screenshots:
test-output/screenshots/visit-running-*.png."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.treatments.models import Administration, Visit
from chairside.treatments.tests.test_visit_browser import (  # noqa: F401 (fixtures)
    center,
    check_in,
    clock,
    do_administration,
    do_checks,
    do_discharge,
    do_preparation,
    saved,
    tablet,
)
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nothing_stays_running_through_signing(
    tablet: Any,  # noqa: F811 (the fixture imported above)
    live_server: Any,
    shot: Any,
    center: dict[str, Any],  # noqa: F811
) -> None:
    page = tablet
    log_in(page, live_server, "nurse.blake", f.TEST_PASSWORD)
    check_in(page, live_server, shot)
    do_checks(page, shot)
    do_preparation(page, shot)
    do_administration(page, shot)

    page.get_by_text("Other administrations").click()
    page.locator("#other_substance").fill("ondansetron 4 mg")
    page.locator("#other_category").select_option("therapeutic")
    page.locator("#other_method").select_option("push")
    page.locator("#other_started_at").fill("10:00")
    page.locator("#other_stopped_at").fill("10:02")
    page.get_by_role("button", name="Start it").click()
    saved(page, "Started")
    push = Administration.objects.get(substance="ondansetron 4 mg")
    assert not push.is_running

    page.get_by_text("Other administrations").click()
    page.locator("#other_substance").fill("0.9% NaCl 500 mL")
    page.locator("#other_category").select_option("hydration")
    page.locator("#other_method").select_option("infusion")
    page.locator("#other_started_at").fill("11:00")
    page.locator("#other_stopped_at").fill("")
    page.get_by_role("button", name="Start it").click()
    saved(page, "Started")

    do_discharge_with_running(page)
    page.get_by_role("link", name=re.compile("Next: review and sign")).click()
    missing = page.locator("#missing")
    message = "0.9% NaCl 500 mL (IV infusion, started 11:00) is still running"
    expect(missing).to_contain_text(message)
    page.get_by_role("button", name="Sign and lock the visit").click()
    expect(page.locator(".alert.bad")).to_contain_text(message)
    shot(page, "visit-running-sign-refused-1024")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "visit-running-sign-refused-1366")
    assert Visit.objects.get().status == Visit.Status.IN_PROGRESS

    page.locator("#missing").get_by_role("link", name=re.compile("still running")).click()
    running = page.locator("#other-administrations")
    expect(running).to_have_attribute("open", "")
    shot(page, "visit-running-stop-it-1366")
    stop = running.locator("form.stop")
    stop.locator("[name=stopped_at]").fill("12:00")
    stop.get_by_role("button", name=re.compile("Stop")).click()
    saved(page, "Stopped")
    page.set_viewport_size({"width": 1024, "height": 768})
    page.get_by_role("link", name=re.compile("Next: observation")).click()
    page.get_by_role("link", name="Review and sign", exact=True).click()
    page.get_by_role("button", name="Sign and lock the visit").click()
    expect(page.locator("h2.step-title")).to_have_text("Signed record")


def do_discharge_with_running(page: Any) -> None:
    """The discharge step as ``do_discharge`` but the hydration still runs (so the
    missing panel is not empty at the end)."""
    from chairside.treatments.tests.test_visit_browser import NORMAL, fill_vitals

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
