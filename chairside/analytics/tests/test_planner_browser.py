"""A practice owner plans a center in Chromium: scenario, charts, simulation, dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.analytics.tests.factories import make_scenario
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_plans_a_center_runs_the_simulation_and_reads_the_dashboard(
    page: Any,
    live_server: Any,
    shot: Any,
) -> None:
    org = f.make_org("Planner Browser Test")
    f.make_location(org, chairs=6)
    f.make_user(org, "admin", username="owner")
    make_scenario(org, "Small start", a_chairs="6", sim_days="20")

    log_in(page, live_server, "owner", "pw-test-123")
    page.goto(f"{live_server.url}/reports/")
    expect(page.locator("h1")).to_have_text("Reports")
    expect(page.locator("canvas[data-drawn]")).not_to_have_count(0)
    shot(page, "analytics-01-dashboard")

    page.click("text=Planner: chairs, break-even, capacity")
    page.click("text=New scenario")
    page.wait_for_url("**/planner/new/")
    page.wait_for_load_state()
    page.fill("#id_name", "Twelve chairs")
    page.fill("#id_adult_population", "1500000")
    page.fill("#id_patients_per_day", "30")
    page.fill("#id_sim_days", "20")
    shot(page, "analytics-02-scenario-form")
    page.wait_for_timeout(300)  # let the page settle after the full-page screenshot
    with page.expect_navigation():
        page.press("#id_name", "Enter")  # submits the form, as a keyboard user would
    expect(page.locator("h1")).to_have_text("Twelve chairs")
    expect(page.locator("canvas[data-drawn]")).to_have_count(6)

    page.click("#simulation button[type=submit]")
    expect(page.locator(".sim-table")).to_contain_text("Average wait per patient")
    expect(page.locator("#simulation canvas[data-drawn]")).to_have_count(2)
    shot(page, "analytics-03-scenario-simulated")

    page.click("text=All scenarios")
    for checkbox in page.locator("input[name=s]").all():
        checkbox.check()
    page.click("text=Compare ticked scenarios")
    expect(page.locator("table.compare")).to_contain_text("Small start")
    expect(page.locator("table.compare")).to_contain_text("Twelve chairs")
    shot(page, "analytics-04-compare")


@pytest.mark.parametrize("size", [(1366, 900), (1024, 768)])
def test_the_scenario_shows_its_break_even_and_cash_working(
    live_server: Any, page: Any, shot: Any, org: Any, size: tuple[int, int]
) -> None:
    from chairside.demo.analytics import SCENARIOS

    scenario = make_scenario(org, "Open with 8 chairs", **SCENARIOS["Open with 8 chairs (demo)"][1])
    f.make_user(org, "coordinator", username="cora")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "cora", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/reports/planner/{scenario.public_id}/")
    working = page.locator("#working")
    expect(working).to_contain_text("rounded up")
    expect(working.locator("tbody tr")).to_have_count(6)
    working.scroll_into_view_if_needed()
    shot(page, f"analytics-05-working-{size[0]}")
