"""A nurse records a premedication given IV from the center's stock, on a tablet: it is
billed with its own HCPCS code. Screenshots: test-output/screenshots/visit-premed-*.png."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.treatments import services
from chairside.treatments.models import Administration
from chairside.treatments.tests import factories as tf
from chairside.treatments.tests.test_visit_browser import (  # noqa: F401 (fixtures)
    center,
    check_in,
    clock,
    do_checks,
    do_preparation,
    saved,
    tablet,
)
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_premedication_from_stock_is_recorded_with_its_dose(
    tablet: Any,  # noqa: F811 (the fixture imported above)
    live_server: Any,
    shot: Any,
    center: dict[str, Any],  # noqa: F811
) -> None:
    premed = tf.make_drug(
        center["org"],
        {
            "key": "diphenhydramine-inj",
            "generic_name": "diphenhydramine hydrochloride injection",
            "hcpcs": "J1200",
            "billing_unit_mg": Decimal(50),
            "admin_category": "therapeutic",
            "premedication": True,
            "packages": [("25021048101", "50 mg/mL, 1 mL single-dose vial", "50")],
        },
    )
    page = tablet
    log_in(page, live_server, "nurse.blake", f.TEST_PASSWORD)
    check_in(page, live_server, shot)
    do_checks(page, shot)
    do_preparation(page, shot)
    page.get_by_role("link", name="Next: administration →").click()
    page.get_by_text("Other administrations").click()
    page.locator("#other_premedication").select_option(premed.key)
    page.locator("#other_dose_given_mg").fill("25")
    page.locator("#other_method").select_option("push")
    page.locator("#other_started_at").fill("09:50")
    shot(page, "visit-premed-form-1024")
    page.get_by_role("button", name="Start it").click()
    saved(page, "Started")
    given = Administration.objects.get(drug=premed)
    assert (given.dose_given_mg, given.from_center_stock) == (Decimal(25), True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    page.get_by_text("Other administrations").click()
    expect(page.locator("details.card")).to_contain_text("25 mg")
    shot(page, "visit-premed-recorded-1366")
    assert services.visit_encounter_facts(given.visit).drugs[-1].hcpcs == "J1200"
