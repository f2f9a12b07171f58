from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.access.authorizations import services
from chairside.access.authorizations.models import BenefitsInvestigation
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from tests import factories as f
from tests.factories import someone


@pytest.fixture
def order(org: Any) -> Any:
    return rf.make_order(rf.covered_patient(org))


def verify(order: Any, **kw: Any) -> BenefitsInvestigation:
    kw.setdefault("coverage_active", True)
    kw.setdefault("pa_required", "yes")
    return services.benefits_verify(investigation=rf.pending_benefits(order), user=someone(), **kw)


class TestBenefitsVerify:
    def test_it_records_who_verified_and_opens_the_authorization_to_submit(
        self, org: Any, order: Any
    ) -> None:
        user = f.make_user(org, "coordinator")
        check = services.benefits_verify(
            investigation=rf.pending_benefits(order),
            user=user,
            coverage_active=True,
            pa_required="yes",
            deductible=Decimal(1500),
            deductible_met=Decimal(200),
            coinsurance_percent=Decimal(20),
            verified_on=dt.date(2026, 1, 6),
        )
        assert (check.status, check.verified_by, check.plan_year) == ("verified", user, 2026)
        assert order.authorizations.get().status == "to_submit"
        assert AuditEvent.objects.filter(object_id=check.public_id, action="state").exists()

    def test_it_keeps_a_not_required_record_when_the_payer_needs_no_authorization(
        self, order: Any
    ) -> None:
        verify(order, pa_required="no")
        assert order.authorizations.get().status == "not_required"

    def test_it_needs_the_payers_answer_on_prior_authorization(self, order: Any) -> None:
        with pytest.raises(ValidationError, match="whether prior authorization is required"):
            verify(order, pa_required="unknown")
        assert rf.pending_benefits(order).status == "pending"

    def test_it_refuses_more_deductible_met_than_the_deductible(self, order: Any) -> None:
        with pytest.raises(ValidationError, match="deductible met is more"):
            verify(order, deductible=Decimal(500), deductible_met=Decimal(600))

    def test_white_bagging_names_the_specialty_pharmacy(self, order: Any) -> None:
        with pytest.raises(ValidationError, match="specialty pharmacy"):
            verify(order, acquisition_path="white_bag")
        verify(order, acquisition_path="white_bag", specialty_pharmacy="Acme Specialty Rx")


class TestBenefitsPage:
    def test_a_coordinator_verifies_benefits(
        self, org: Any, order: Any, coordinator_client: Any
    ) -> None:
        check = rf.pending_benefits(order)
        data = {
            "coverage_active": "yes",
            "pa_required": "yes",
            "acquisition_path": "buy_and_bill",
            "deductible": "1000",
            "deductible_met": "0",
            "out_of_pocket_met": "0",
            "coinsurance_percent": "20",
            "copay": "0",
            "other_allowed_per_visit": "0",
        }
        response = coordinator_client.post(
            reverse("authorizations:benefits", args=[check.public_id]), data
        )
        assert response.status_code == 302
        check.refresh_from_db()
        assert check.status == "verified"

    def test_bad_input_is_shown_and_nothing_saved(
        self, order: Any, coordinator_client: Any
    ) -> None:
        check = rf.pending_benefits(order)
        data = {
            "coverage_active": "yes",
            "pa_required": "yes",
            "acquisition_path": "buy_and_bill",
            "deductible": "100",
            "deductible_met": "900",
            "out_of_pocket_met": "0",
            "coinsurance_percent": "20",
            "copay": "0",
            "other_allowed_per_visit": "0",
        }
        response = coordinator_client.post(
            reverse("authorizations:benefits", args=[check.public_id]), data
        )
        assert response.status_code == 400
        assert b"deductible met is more" in response.content
        check.refresh_from_db()
        assert check.status == "pending"

    def test_it_is_404_for_another_organization(
        self, other_org: Any, coordinator_client: Any
    ) -> None:
        foreign = rf.make_order(rf.covered_patient(other_org))
        url = reverse("authorizations:benefits", args=[rf.pending_benefits(foreign).public_id])
        assert coordinator_client.get(url).status_code == 404
        opened = reverse("authorizations:benefits_open", args=[foreign.public_id])
        foreign.benefits.all().delete()  # so that opening them would write one
        assert coordinator_client.post(opened).status_code == 404
        assert not BenefitsInvestigation.objects.filter(order=foreign).exists()

    def test_a_nurse_reads_but_cannot_verify(self, org: Any, order: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        url = reverse("authorizations:benefits", args=[rf.pending_benefits(order).public_id])
        assert nurse.get(url).status_code == 200
        nurse.post(url, {"coverage_active": "yes", "pa_required": "no"})
        assert rf.pending_benefits(order).status == "pending"
        opened = reverse("authorizations:benefits_open", args=[order.public_id])
        order.benefits.all().delete()  # so that opening them would write one
        assert nurse.post(opened).status_code == 403
        assert not BenefitsInvestigation.objects.filter(order=order).exists()
