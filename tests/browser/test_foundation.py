"""Log in, search a patient, open the chart — through Chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.patients.models import Diagnosis
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_logs_in_finds_a_patient_and_opens_the_chart(
    page: Any, live_server: Any, shot: Any
) -> None:
    org = f.make_org("Riverside Browser Test")
    f.make_location(org, chairs=2)
    f.make_user(org, "coordinator", username="hannah")
    target = f.make_patient(
        org,
        first_name="Grace",
        last_name="Hopper",
        mrn="BT-1",
        date_of_birth=dt.date(1956, 12, 9),
        weight_kg="61.5",
    )
    Diagnosis.objects.create(
        patient=target,
        icd10_code="K50.90",
        description="Crohn's disease, unspecified, without complications",
    )
    for n in range(5):
        f.make_patient(org, last_name=f"Other{n}")

    log_in(page, live_server, "hannah", "pw-test-123")
    shot(page, "foundation-01-today")
    page.click("nav.mainnav >> text=Patients")
    page.fill("#q", "hop")
    # htmx replaces the rows as the coordinator types; wait for the filtered list.
    expect(page.locator("#patient-results tbody tr")).to_have_count(1)
    expect(page.locator("#patient-results")).to_contain_text("Hopper, Grace")
    shot(page, "foundation-02-search")
    page.click("text=Hopper, Grace")
    page.wait_for_selector("h1 >> text=Hopper, Grace")
    assert page.locator("text=K50.90").count() == 1
    assert page.locator("text=61.5 kg").count() >= 1
    shot(page, "foundation-03-chart")
