"""A biller finds a patient who owes (a self-pay visit and Medicare coinsurance), records a
card payment, sets up a plan and prints a statement, in Chromium at 1366×900 and 1024×768.
Screenshots go to test-output/screenshots/patient-balance-*.png."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.billing.models import PatientStatement
from chairside.billing.services import charges_derive, patient_balance
from chairside.billing.tests import factories as bf
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def patient(org: Any) -> Any:
    bf.billable_org(org)
    patient = bf.billable_patient(org, first_name="Rosa", last_name="Delgado")
    charges_derive(
        organization=org, patient=patient, location=None, facts=bf.facts_for(patient)
    )  # no insurance: a self-pay visit
    f.make_user(org, "biller", username="nina")
    return patient


@pytest.mark.parametrize("size", [(1366, 900), (1024, 768)])
def test_a_biller_records_a_payment_and_prints_a_statement(
    live_server: Any, page: Any, shot: Any, patient: Any, size: tuple[int, int]
) -> None:
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    owed = patient_balance(patient=patient)
    log_in(page, live_server, "nina", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/billing/")
    page.get_by_role("navigation", name="Billing").get_by_role(
        "link", name="Patient balances"
    ).click()
    expect(page.get_by_role("heading", name="Patient AR ageing")).to_be_visible()
    shot(page, f"patient-balance-list-{width}")
    page.get_by_role("link", name="Delgado, Rosa").click()
    expect(page.locator("#account-balance")).to_have_text(f"${owed:,.2f}")

    # A full card number is refused and not kept.
    page.fill("#id_pay-amount", "100.00")
    page.select_option("#id_pay-method", "card")
    page.fill("#id_pay-reference", "4111 1111 1111 1111")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_text("Never record a card number").first).to_be_visible()

    page.fill("#id_pay-reference", "auth 0A12 ending 1111")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_text("Payment recorded.")).to_be_visible()
    left = owed - 100
    expect(page.locator("#account-balance")).to_have_text(f"${left:,.2f}")
    expect(page.get_by_role("cell", name="Card auth 0A12 ending 1111")).to_be_visible()

    first_due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    page.fill("#id_plan-monthly", "150.00")
    page.fill("#id_plan-first_due", first_due)
    page.get_by_role("button", name="Put the balance on a plan").click()
    expect(page.locator("#plan")).to_contain_text("$150.00 a month")
    shot(page, f"patient-balance-account-{width}")

    page.get_by_role("button", name="Print a statement").click()
    expect(page.get_by_role("heading", name="Patient statement")).to_be_visible()
    expect(page.locator(".st-box")).to_contain_text(f"${left:,.2f}")
    shot(page, f"patient-balance-statement-{width}")
    statement = PatientStatement.objects.get(patient=patient)
    pdf = page.request.get(
        f"{live_server.url}/billing/statements/{statement.public_id}/?format=pdf"
    )
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    page.goto(f"{live_server.url}/patients/{patient.public_id}/")
    expect(page.locator("#chart-patient-balance")).to_contain_text(f"${left:,.2f}")
