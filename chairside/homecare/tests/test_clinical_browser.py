"""In Chromium: a coordinator writes a home-infusion order, then the plan of care (which
names what is missing), and a nurse signs the caregiver's teaching with her own password."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.homecare.models import HomeInfusionOrder, PlanOfCare, TeachingRecord
from chairside.homecare.tests import factories as hf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = ({"width": 1366, "height": 900}, {"width": 1024, "height": 768})


def shots(page: Any, shot: Any, name: str) -> None:
    """The page at both sizes a coordinator's and a nurse's screens have."""
    for size in SIZES:
        page.set_viewport_size(size)
        shot(page, f"{name}-{size['width']}")
    page.set_viewport_size(SIZES[0])


def test_order_then_plan_of_care_then_signed_teaching(
    live_server: Any, page: Any, shot: Any, org: Any, home: Any
) -> None:
    patient = hf.make_home_patient(org, home, first_name="Rosa", last_name="Diaz")
    provider = hf.make_referring_provider(org)
    nurse = f.make_user(org, "nurse", username="clara")
    hf.make_staff(org, "RN", user=nurse)
    f.make_user(org, "coordinator", username="hannah")
    today = timezone.localdate().isoformat()
    page.set_default_timeout(60_000)  # a long page of forms on a shared, busy machine
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, "hannah", f.TEST_PASSWORD)

    page.goto(f"{live_server.url}/homecare/patients/")
    page.click("text=Diaz, Rosa")
    page.click("#new-order")
    page.select_option("select[name=therapy_type]", "iv_antibiotic")
    page.fill("input[name=drug_name]", "Vancomycin")
    page.fill("input[name=dose_amount]", "1250")
    page.fill("input[name=doses_per_day]", "2")
    page.fill("input[name=start_date]", today)
    page.fill("input[name=duration_days]", "42")
    page.select_option("select[name=access_device]", "picc")
    page.fill("input[name=access_inserted_on]", today)
    page.select_option("select[name=administration_device]", "elastomeric")
    page.fill("textarea[name=supplies]", "Saline flush 10 mL\nPICC dressing kit")
    page.select_option("select[name=ordering_provider]", str(provider.pk))
    page.fill("input[name=signed_on]", today)
    page.select_option("select[name=status]", "active")
    shots(page, shot, "homecare-order-form")
    page.click("#order-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Home-infusion order saved: Vancomycin")
    order = HomeInfusionOrder.objects.get()
    assert order.dose_display == "1250 mg 2× a day"

    page.click(f"text={patient.last_name}, {patient.first_name}")
    page.click("#new-plan")
    expect(page.locator("input[name=orders]")).to_be_checked()
    page.fill("textarea[name=goals]", "Finish 6 weeks of IV vancomycin")
    page.fill("textarea[name=monitoring_labs]", "CBC with differential: weekly\nBMP: weekly")
    page.fill("input[name=caregiver_name]", "Ana Lopez")
    page.fill("input[name=caregiver_relationship]", "Daughter")
    page.fill("input[name=caregiver_phone]", "(555) 010-2222")
    page.click("#plan-form button[type=submit]")
    expect(page.locator(".gaps")).to_contain_text("The physician has not signed the plan of care.")
    expect(page.locator(".gaps")).to_contain_text("no vancomycin level")
    expect(page.locator(".gaps")).to_contain_text("No teaching with a demonstrated competency")
    assert PlanOfCare.objects.get().orders.get() == order
    shots(page, shot, "homecare-plan-of-care")

    page.click("text=Diaz, Rosa")
    page.click("#new-teaching")
    expect(page.locator("input[name=learner_name]")).to_have_value("Ana Lopez")
    for topic in ("access_device_care", "pump_operation", "administration"):
        page.check(f"input[name=topics][value={topic}]")
    page.select_option("select[name=method]", "demonstration")
    page.check("input[name=outcome][value=competent]")
    page.fill("input[name=nurse_username]", "clara")
    page.fill("input[name=nurse_password]", "wrong-password")
    page.click("#teaching-form button[type=submit]")
    expect(page.locator(".alert.bad")).to_contain_text("That user name and password do not match.")
    assert not TeachingRecord.objects.exists()
    page.fill("input[name=nurse_password]", f.TEST_PASSWORD)
    shots(page, shot, "homecare-teaching")
    page.click("#teaching-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Teaching recorded and signed by the nurse")
    expect(page.locator("#teaching")).to_contain_text("Demonstrated competency")
    record = TeachingRecord.objects.get()
    assert record.signed_by == nurse and record.learner == "caregiver"
    expect(page.locator("#plan-of-care")).to_contain_text(
        "Competency is not yet demonstrated for signs of infection or reaction"
    )
    shots(page, shot, "homecare-patient")
    page.click("nav.tabs >> text=Plans of care")
    shots(page, shot, "homecare-plans")
    page.click("nav.tabs >> text=Day routes")
    shots(page, shot, "homecare-day")
    page.click("#new-delivery")
    shots(page, shot, "homecare-delivery-new")
