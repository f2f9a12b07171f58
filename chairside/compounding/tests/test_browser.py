"""A technician compounds a dose from a lot, the pharmacist verifies it on the same device
with her own password, and the label prints; the recall then finds the patient."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.compounding.tests import factories as cf
from chairside.inventory.tests import factories as inv
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [(1366, 900), (1024, 768)])
def test_compound_verify_and_print_the_label(
    page: Any, live_server: Any, shot: Any, size: tuple[int, int]
) -> None:
    org = f.make_org("Compounding Browser Test")
    location = f.make_location(org, name="Main suite", chairs=2)
    drug = inv.make_drug(org)
    fridge = inv.make_place(location, "Pharmacy refrigerator")
    inv.make_lot(fridge, inv.package(drug), vials=10, lot_number="RX100")
    cf.make_area(location)
    formulation = cf.make_formulation(org, drug, name="Infliximab in 250 mL NS")
    tech = f.make_user(org, "pharmacist", username="ltech")
    cf.make_staff(org, tech, "CPhT", "Luis", "Ortega")
    cf.make_staff(org, f.make_user(org, "pharmacist", username="gkim"), "PharmD", "Grace", "Kim")
    patient = f.make_patient(org, first_name="Lena", last_name="Okafor", mrn="RIP-004211")
    key = formulation.ingredients.get().public_id
    width = size[0]

    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "ltech", f.TEST_PASSWORD)
    page.click("nav.mainnav >> text=Compounding")
    expect(page.locator("h1")).to_have_text("Compounding records")
    page.click(".compound-start >> text=Infliximab in 250 mL NS")
    page.fill("#id_patient_mrn", patient.mrn)
    page.select_option("#id_area", index=1)
    page.select_option(f"#lot_{key}", index=1)
    page.fill(f"#vials_{key}", "4")
    page.fill(f"#amount_{key}", "350")
    page.fill("#id_diluent_lot", "ns2231")
    page.fill("#id_diluent_expires_on", (timezone.localdate() + dt.timedelta(days=90)).isoformat())
    shot(page, f"compounding-01-compound-{width}")
    page.click("text=Save and draw from stock")
    expect(page.locator(".messages")).to_contain_text("A pharmacist verifies it now")
    expect(page.locator("main")).to_contain_text("1.4 mg/mL")

    # The preparer cannot verify her own dose; the pharmacist types her own credentials.
    page.fill("#id_cosigner_username", "ltech")
    page.fill("#id_cosigner_password", f.TEST_PASSWORD)
    page.click(".verify-form button[type=submit]")
    expect(page.locator(".verify-form .alert")).to_contain_text("cannot verify it")
    page.fill("#id_cosigner_username", "gkim")
    page.fill("#id_cosigner_password", f.TEST_PASSWORD)
    page.click(".verify-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("verified by Grace Kim, PharmD")
    shot(page, f"compounding-02-verified-{width}")

    page.click("text=Print label")
    expect(page.locator(".label")).to_contain_text("OKAFOR, Lena")
    expect(page.locator(".label .bud")).to_contain_text("Beyond use:")
    shot(page, f"compounding-03-label-{width}")

    page.goto(f"{live_server.url}/compounding/recall/?lot=rx100")
    expect(page.locator(".recall-table")).to_contain_text("Okafor, Lena")
    expect(page.locator(".recall-table")).to_contain_text("Compounded dose")
    shot(page, f"compounding-04-recall-{width}")
