"""A management company's Today shows its client organizations' queues and figures instead
of its own empty tiles (issue 13.16)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from chairside.billing.services import charges_derive
from chairside.billing.tests import factories as bf
from chairside.tenancy.models import Organization
from tests import factories as f


@pytest.mark.django_db
class TestManagementToday:
    def test_it_shows_each_clients_queues_and_figures(self, org: Any) -> None:
        company = f.make_org(
            "Summit Infusion Management", kind=Organization.Kind.MANAGEMENT_COMPANY
        )
        org.managed_by = company
        org.save()
        f.make_location(org, chairs=6)
        bf.billable_org(org)
        patient = bf.billable_patient(org)
        facts = bf.facts_for(patient, bf.commercial(org))
        charges_derive(organization=org, patient=patient, location=None, facts=facts)
        other = f.make_org("Not a client")  # never shown
        f.make_location(other, chairs=3)
        client = f.login(f.make_user(company, "admin"))
        html = client.get(reverse("today")).content.decode()
        assert "Riverside Test Practice" in html
        assert "Not a client" not in html
        assert "6 chairs" in html and "1 active patient" in html
        section = html[html.index('class="card client-today"') :]
        assert "Claims ready to submit" in section
        assert '<span class="count">1</span><span class="title">Claims ready to submit' in section
        # the company's own queues are empty: no zero tiles
        assert '<span class="count">0</span>' not in html

    def test_a_practice_sees_its_own_cards_as_before(self, org: Any) -> None:
        client = f.login(f.make_user(org, "admin"))
        html = client.get(reverse("today")).content.decode()
        assert "client-today" not in html
        assert '<span class="count">0</span>' in html
