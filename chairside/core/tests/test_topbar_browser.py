"""The top bar at desktop and tablet width: the whole menu on one row at 1366 px, and the
patient search box that opens a chart by MRN (issue 13.16)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [(1366, 900), (1024, 768)])
def test_the_menu_fits_and_the_search_opens_a_chart(
    live_server: Any, page: Any, shot: Any, size: tuple[int, int]
) -> None:
    org = f.make_org("Riverside Infusion Partners")
    f.make_user(org, "admin", username="ada")
    patient = f.make_patient(org, first_name="Lena", last_name="Okafor", mrn="RIP-004211")
    f.make_patient(org, first_name="Ben", last_name="Okafor", mrn="RIP-004212")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "ada", f.TEST_PASSWORD)
    links = page.locator("nav.mainnav a")
    expect(links).to_have_count(10)
    shot(page, f"topbar-{size[0]}")
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(10)) if box}
    assert len(tops) == 1, f"the menu wraps onto {len(tops)} rows at {size[0]} px"
    if size[0] >= 1366:
        search = page.locator("#topbar-q").bounding_box()
        assert (
            search
            and abs(search["y"] - page.locator("nav.mainnav a").first.bounding_box()["y"]) < 20
        )
    page.fill("#topbar-q", "rip-004211")
    page.press("#topbar-q", "Enter")
    page.wait_for_url(f"**/patients/{patient.public_id}/")
    page.fill("#topbar-q", "okafor")  # two matches: the list, not a chart
    page.press("#topbar-q", "Enter")
    page.wait_for_url("**/patients/?q=okafor*")
    expect(page.locator("#patient-results")).to_contain_text("RIP-004212")
