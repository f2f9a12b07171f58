"""A management company's Today in Chromium at 1366×900 and 1024×768 (issue 13.16)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.billing.services import charges_derive
from chairside.billing.tests import factories as bf
from chairside.tenancy.models import Organization
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [(1366, 900), (1024, 768)])
def test_the_manager_sees_the_clients_queues(
    live_server: Any, page: Any, shot: Any, size: tuple[int, int]
) -> None:
    company = f.make_org("Summit Infusion Management", kind=Organization.Kind.MANAGEMENT_COMPANY)
    client = f.make_org("Riverside Infusion Partners", managed_by=company)
    f.make_location(client, chairs=10)
    bf.billable_org(client)
    patient = bf.billable_patient(client)
    facts = bf.facts_for(patient, bf.commercial(client))
    charges_derive(organization=client, patient=patient, location=None, facts=facts)
    f.make_user(company, "admin", username="mo")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, "mo", f.TEST_PASSWORD)
    section = page.locator("section.client-today")
    expect(section).to_contain_text("Riverside Infusion Partners")
    expect(section).to_contain_text("Claims ready to submit")
    expect(section).to_contain_text("10 chairs")
    shot(page, f"management-today-{size[0]}")
