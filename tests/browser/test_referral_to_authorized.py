"""A coordinator takes a referral from received to authorized through the pages, in Chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.access.referrals.models import Referral
from chairside.access.referrals.tests import factories as rf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _center() -> tuple[Any, Any]:
    org = f.make_org("Referral Browser Test")
    f.make_location(org, name="Main suite", chairs=4)
    f.make_user(org, "coordinator", username="coord")
    rf.formulary(org)
    provider = rf.make_provider(
        org, first_name="Marcus", last_name="Bell", practice_name="Valley GI (test)"
    )
    patient = f.make_patient(
        org,
        first_name="Naomi",
        last_name="Friedman",
        date_of_birth=dt.date(1987, 12, 12),
        weight_kg="64.0",
    )
    payer = f.make_payer(org, name="Keystone Commercial (test)", kind="commercial")
    f.make_coverage(patient, payer, effective_from=dt.date(2025, 1, 1))
    return org, provider


def _log_referral(tab: Any, live_server: Any, provider: Any, snap: Any) -> None:
    received = timezone.localdate() - dt.timedelta(days=2)
    tab.goto(f"{live_server.url}/referrals/")
    tab.click("text=Log a referral")
    tab.fill("#id_received_on", received.isoformat())
    tab.select_option("#id_referring_provider", label=str(provider))
    tab.fill("#id_patient_first_name", "Naomi")
    tab.fill("#id_patient_last_name", "Friedman")
    tab.fill("#id_patient_date_of_birth", "1987-12-12")
    tab.select_option("#id_requested_drug", label="vedolizumab (Entyvio)")
    tab.fill("#id_diagnosis_code", "K51.90")
    snap(tab, "referrals-01-log-referral")
    tab.click("button:has-text('Save referral')")
    expect(tab.locator("h1")).to_contain_text("Friedman, Naomi")
    expect(tab.locator(".badge-lg")).to_have_text("Received")


def _intake(tab: Any) -> None:
    tab.click("button:has-text('Link to Friedman, Naomi')")
    expect(tab.locator(".messages")).to_contain_text("Referral linked to Friedman, Naomi")
    tab.click("text=Enter the treatment order")
    tab.wait_for_url("**/orders/new/**")
    expect(tab.locator("#id_drug option:checked")).to_have_text("vedolizumab (Entyvio)")
    # htmx replaced the choices with vedolizumab's own regimen (a locator, not
    # wait_for_function: that evaluates a string, which the Content-Security-Policy forbids)
    expect(tab.locator("#id_regimen_template option")).to_have_count(2)
    tab.select_option("#id_regimen_template", index=1)
    tab.fill("#id_first_dose_on", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    tab.click("button:has-text('Save order')")
    expect(tab.locator("h1")).to_contain_text("vedolizumab")
    expect(tab.locator(".dose-now")).to_contain_text("300 mg")


def _verify_benefits(tab: Any, snap: Any) -> None:
    tab.click("a:has-text('Verify')")
    expect(tab.locator("h1")).to_contain_text("Benefits investigation")
    tab.select_option("#id_coverage_active", "yes")
    tab.select_option("#id_pa_required", "yes")
    tab.fill("#id_deductible", "1500")
    tab.fill("#id_deductible_met", "250")
    tab.fill("#id_out_of_pocket_max", "6000")
    tab.fill("#id_coinsurance_percent", "20")
    tab.fill("#id_reference_number", "CALL-4411")
    snap(tab, "referrals-03-benefits")
    tab.click("button:has-text('Mark verified')")
    expect(tab.locator(".messages")).to_contain_text("verified")


def _authorize(tab: Any, snap: Any) -> None:
    tab.click("a:has-text('(none yet)')")
    expect(tab.locator(".badge-lg")).to_have_text("To submit")
    submit = tab.locator("details.move", has_text="Mark submitted")
    submit.locator("button[type=submit]").click()
    expect(tab.locator(".badge-lg")).to_have_text("Submitted")
    approve = tab.locator("details.move", has_text="Mark approved")
    approve.locator("summary").click()
    today = timezone.localdate()
    approve.locator("input[name=authorization_number]").fill("KCH-778812")
    approve.locator("input[name=start_on]").fill(today.isoformat())
    approve.locator("input[name=end_on]").fill((today + dt.timedelta(days=180)).isoformat())
    approve.locator("input[name=units_authorized]").fill("-300")
    approve.locator("button[type=submit]").click()
    expect(tab.locator(".alert.bad")).to_be_visible()  # negative units: refused, nothing saved
    expect(tab.locator(".field.has-error")).to_contain_text("at least 1")
    snap(tab, "referrals-04-approval-refused")
    tab.fill("input[name=units_authorized]", "1800")
    tab.fill("input[name=visits_authorized]", "6")
    tab.click("button:has-text('Save')")
    expect(tab.locator(".badge-lg")).to_have_text("Approved")
    snap(tab, "referrals-05-approved")


def test_a_coordinator_takes_a_referral_from_received_to_authorized(
    page: Any,
    live_server: Any,
    shot: Any,
) -> None:
    org, provider = _center()
    log_in(page, live_server, "coord", "pw-test-123")
    _log_referral(page, live_server, provider, shot)
    referral_url = page.url

    _intake(page)
    shot(page, "referrals-02-order")
    page.goto(referral_url)
    page.click("button:has-text('Mark intake complete')")
    expect(page.locator(".badge-lg")).to_have_text("Intake complete")

    page.click("a.rowlink:has-text('vedolizumab')")
    _verify_benefits(page, shot)
    _authorize(page, shot)

    page.goto(referral_url)
    expect(page.locator(".badge-lg")).to_have_text("Authorized")
    expect(page.locator("ol.stepper li.current")).to_contain_text("Authorized")
    shot(page, "referrals-06-referral-authorized")
    referral = Referral.objects.get(organization=org)
    assert [c.to_state for c in referral.state_changes.all()] == [
        "intake_complete",
        "benefits_verified",
        "authorized",
    ]
