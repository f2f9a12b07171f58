"""A pharmacist opens her site's compliance page from Admin, records a refrigerator reading
out of range, sees it flagged, and follows it up; the flag clears."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.compliance import services
from chairside.compliance.tests import factories as cf
from chairside.tenancy.models import Competency
from tests import factories as f
from tests.browser.plugin import log_in
from tests.factories import someone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [(1366, 900), (1024, 768)])
def test_record_an_excursion_and_follow_it_up(
    page: Any, live_server: Any, shot: Any, size: tuple[int, int]
) -> None:
    org = f.make_org("Compliance Browser Test")
    location = f.make_location(org, name="Main suite")
    f.make_location(org, name="Eastgate")
    today = timezone.localdate()
    nurse = cf.make_staff(
        org, "Maria", "Santos", location=location, license_expires=today + dt.timedelta(days=30)
    )
    Competency.objects.create(staff=nurse, skill="bls", expires_on=today + dt.timedelta(days=200))
    cf.make_staff(
        org, "Grace", "Kim", "PharmD", role="pharmacist", username="gkim", location=location
    )
    services.policy_save(
        organization=org, user=someone(), title="Cold chain", version="2", effective_on=today
    )
    fridge = cf.make_device(location, "Pharmacy refrigerator")
    for days in range(6, 0, -1):
        cf.read(fridge, cf.at(location, days), "4.4")
    width = size[0]

    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "gkim", f.TEST_PASSWORD)
    page.click("nav.mainnav >> text=Admin")
    page.click(".page-head .actions a:text-is('Compliance')")
    expect(page.locator("h1")).to_have_text("Compliance: Eastgate")
    page.click(".location-picker >> text=Main suite")
    expect(page.locator("h1")).to_have_text("Compliance: Main suite")
    expect(page.locator("#licences")).to_contain_text("expires within 60 days")
    expect(page.locator("#temperatures")).to_contain_text("every excursion followed up")

    page.click("#temperatures >> text=Record a reading")
    page.select_option("#id_device", label="Pharmacy refrigerator")
    now = timezone.localtime(timezone.now(), location.tz) - dt.timedelta(minutes=10)
    page.fill("#id_at", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_celsius", "9.8")
    page.click(".compliance-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("an excursion that needs a follow-up")
    expect(page.locator("#temperatures")).to_contain_text("1 without follow-up")
    shot(page, f"compliance-01-page-{width}")

    page.click("#temperatures >> text=Follow up")
    page.click(".compliance-form button[type=submit]")  # empty: refused, with the reasons
    expect(page.locator("main")).to_contain_text("Say what was done")
    page.fill("#id_action_taken", "Door closed; reading 4.9 °C an hour later.")
    page.fill("#id_product_impact", "Stability data reviewed: all products usable.")
    shot(page, f"compliance-02-follow-up-{width}")
    page.click(".compliance-form button[type=submit]")
    expect(page.locator("#temperatures")).to_contain_text("every excursion followed up")
    expect(page.locator("#temperatures")).to_contain_text("Grace Kim, PharmD")
