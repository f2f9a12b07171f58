from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.analytics import services
from chairside.analytics.models import ManagementFeeTerms
from chairside.tenancy.models import Organization
from tests import factories as f

TERMS = {
    "basis": "per_treatment",
    "fee_per_treatment": "45.00",
    "share_of_collections_percent": "0",
    "effective_from": "2026-01-01",
}


@pytest.fixture
def company(db: Any) -> Organization:
    return f.make_org("Summit", kind=Organization.Kind.MANAGEMENT_COMPANY)


@pytest.fixture
def client_org(company: Organization) -> Organization:
    return f.make_org("Client One", managed_by=company)


class TestFeeTerms:
    def test_the_management_company_sets_a_clients_fee(
        self, company: Organization, client_org: Organization
    ) -> None:
        manager = f.login(f.make_user(company, "admin"))
        url = reverse("analytics:fee_terms", args=[client_org.public_id])
        assert manager.post(url, TERMS).status_code == 302
        terms = ManagementFeeTerms.objects.get(client=client_org)
        assert str(terms) == "$45.00 per treatment"

    def test_it_needs_the_amount_for_the_basis(
        self, company: Organization, client_org: Organization
    ) -> None:
        manager = f.login(f.make_user(company, "admin"))
        url = reverse("analytics:fee_terms", args=[client_org.public_id])
        data = {**TERMS, "basis": "share_of_collections"}
        response = manager.post(url, data)
        assert response.status_code == 400
        assert b"Enter the share of collections" in response.content
        assert not ManagementFeeTerms.objects.exists()

    def test_another_company_cannot_reach_the_client(self, client_org: Organization) -> None:
        rival = f.make_org("Rival", kind=Organization.Kind.MANAGEMENT_COMPANY)
        manager = f.login(f.make_user(rival, "admin"))
        url = reverse("analytics:fee_terms", args=[client_org.public_id])
        assert manager.post(url, TERMS).status_code == 404
        assert not ManagementFeeTerms.objects.exists()

    def test_a_role_that_may_not_plan_is_refused(
        self, company: Organization, client_org: Organization
    ) -> None:
        reader = f.login(f.make_user(company, "biller"))
        url = reverse("analytics:fee_terms", args=[client_org.public_id])
        assert reader.post(url, TERMS).status_code == 403
        assert not ManagementFeeTerms.objects.exists()

    def test_the_service_refuses_a_practice_it_does_not_manage(
        self, company: Organization, admin_user: Any, org: Organization
    ) -> None:
        with pytest.raises(ValidationError, match="not one of your clients"):
            services.fee_terms_save(
                management_company=company, client=org, user=admin_user, basis="per_treatment"
            )
