"""Issue 13 item 5: a second order for the same drug is refused with a link to the first;
an order from the chart is linked to the patient's open referral."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.tests import factories as rf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"1366": (1366, 900), "1024": (1024, 768)}


def test_a_duplicate_order_is_refused_and_links_to_the_existing_one(
    page: Any, live_server: Any, shot: Any
) -> None:
    org = f.make_org("Duplicate Order Browser Test")
    f.make_location(org, name="Main suite", chairs=4)
    f.make_user(org, "coordinator", username="coord")
    patient = f.make_patient(
        org,
        first_name="Naomi",
        last_name="Friedman",
        weight_kg="64.0",
        date_of_birth=dt.date(1980, 3, 4),
    )
    provider = rf.make_provider(org)
    referral = rf.make_referral(org, patient=patient, provider=provider)
    existing = rf.make_order(patient, ordering_provider=provider)
    assert existing.referral == referral  # entered without naming it: linked

    log_in(page, live_server, "coord", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/referrals/orders/new/{patient.public_id}/")
    # The referral is answered by the existing order: no "will be linked" note.
    expect(page.locator(".open-referral")).to_have_count(0)
    page.locator("#id_drug").select_option(label=str(existing.drug))
    regimen = existing.drug.regimens.first()
    expect(page.locator(f"#id_regimen_template option[value='{regimen.pk}']")).to_have_count(1)
    # The drug's regimens arrive by htmx: let every swap land before choosing one, or a late
    # swap puts the list back on "Custom regimen" (seen on a loaded machine).
    page.wait_for_load_state("networkidle")
    page.locator("#id_regimen_template").select_option(str(regimen.pk))
    expect(page.locator("#id_regimen_template")).to_have_value(str(regimen.pk))
    page.locator("#id_ordering_provider").select_option(str(provider.pk))
    page.locator("#id_first_dose_on").fill(str(timezone.localdate() + dt.timedelta(days=7)))
    page.get_by_role("button", name="Save order").click()
    alert = page.locator("#duplicate-order")
    expect(alert).to_contain_text("already has an active order for infliximab")
    for name, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        shot(page, f"orders-duplicate-refused-{name}")
    alert.get_by_role("link", name="Open the existing order").click()
    page.wait_for_url(f"**/referrals/orders/{existing.public_id}/")
    assert TreatmentOrder.objects.filter(patient=patient).count() == 1
