"""Issue 13 item 5: one live order per patient and drug; a chart order finds its referral."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from chairside.access.referrals import services
from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from tests import factories as f
from tests.factories import someone


@pytest.fixture
def referral(org: Any, patient: Any) -> Any:
    return rf.make_referral(org, patient=patient)


class TestOneLiveOrderPerDrug:
    def test_a_second_active_order_for_the_same_drug_is_refused(
        self, org: Any, patient: Any
    ) -> None:
        first = rf.make_order(patient)
        with pytest.raises(services.DuplicateOrderError) as exc:
            rf.make_order(patient)
        assert exc.value.existing == first
        message = str(exc.value)
        assert "already has an active order for infliximab" in message
        assert "Update that order instead" in message
        assert TreatmentOrder.objects.filter(patient=patient).count() == 1

    def test_no_second_benefits_check_is_opened(self, org: Any) -> None:
        patient = rf.covered_patient(org)
        first = rf.make_order(patient)
        with pytest.raises(services.DuplicateOrderError):
            rf.make_order(patient)
        assert first.benefits.count() == 1
        from chairside.access.authorizations.models import BenefitsInvestigation

        assert BenefitsInvestigation.objects.filter(order__patient=patient).count() == 1

    def test_an_order_on_hold_also_counts(self, org: Any, patient: Any) -> None:
        first = rf.make_order(patient)
        services.order_set_status(order=first, user=someone(), status="on_hold", reason="infection")
        with pytest.raises(services.DuplicateOrderError, match="on hold order"):
            rf.make_order(patient)

    def test_a_finished_order_or_another_drug_does_not_block(self, org: Any, patient: Any) -> None:
        first = rf.make_order(patient)
        rf.make_order(patient, "natalizumab")  # another drug: fine
        services.order_set_status(
            order=first, user=someone(), status="discontinued", reason="switch"
        )
        again = rf.make_order(patient)  # the old order is over: a new course is fine
        assert again.pk != first.pk

    def test_changing_an_order_to_a_drug_already_ordered_is_refused(
        self, org: Any, patient: Any
    ) -> None:
        rf.make_order(patient)
        other = rf.make_order(patient, "natalizumab")
        with pytest.raises(services.DuplicateOrderError):
            infliximab = rf.drug(org, "infliximab")
            services.order_update(
                order=other,
                user=someone(),
                drug=infliximab,
                regimen_template=infliximab.regimens.first(),
            )
        other.refresh_from_db()
        assert other.drug.generic_name == "natalizumab"


class TestLinkedToTheOpenReferral:
    def test_an_order_from_the_chart_is_linked_to_the_open_referral(
        self, org: Any, patient: Any, referral: Any
    ) -> None:
        order = rf.make_order(patient)  # no referral given, as from the chart
        assert order.referral == referral
        event = AuditEvent.objects.get(object_id=order.public_id, action="create")
        assert event.changes.get("referral") == [None, str(referral)]

    def test_a_referral_for_another_drug_is_left_alone(
        self, org: Any, patient: Any, referral: Any
    ) -> None:
        order = rf.make_order(patient, "natalizumab")
        assert order.referral is None


class TestPages:
    def _post(self, client: Any, patient: Any, org: Any) -> Any:
        drug = rf.drug(org, "infliximab")
        template = drug.regimens.all()[0]
        return client.post(
            reverse("referrals:order_create", args=[patient.public_id]),
            {
                "drug": drug.pk,
                "regimen_template": template.pk,
                "ordering_provider": rf.make_provider(org).pk,
                "signed_on": "2026-01-05",
                "first_dose_on": "2026-01-12",
                "route": "IV",
                "location": patient.home_location.pk if patient.home_location else "",
                "diagnoses": [d.pk for d in patient.diagnoses.all()],
            },
        )

    def test_the_form_names_and_links_the_existing_order(self, org: Any, patient: Any) -> None:
        first = rf.make_order(patient)
        client = f.login(f.make_user(org, "coordinator"))
        response = self._post(client, patient, org)
        assert response.status_code == 400
        html = response.content.decode()
        assert "already has an active order for infliximab" in html
        assert reverse("referrals:order", args=[first.public_id]) in html
        assert reverse("referrals:order_edit", args=[first.public_id]) in html
        assert TreatmentOrder.objects.filter(patient=patient).count() == 1

    def test_the_form_says_which_referral_the_order_will_answer(
        self, org: Any, patient: Any, referral: Any
    ) -> None:
        client = f.login(f.make_user(org, "coordinator"))
        html = client.get(reverse("referrals:order_create", args=[patient.public_id])).content
        assert b"is linked to the open referral of 01/02/2026" in html


class TestApi:
    def _body(self, org: Any, patient: Any) -> dict[str, Any]:
        drug = rf.drug(org, "infliximab")
        return {
            "patient": str(patient.public_id),
            "drug": str(drug.public_id),
            "regimen_template": str(drug.regimens.all()[0].public_id),
            "ordering_provider": str(rf.make_provider(org).public_id),
            "signed_on": "2026-01-05",
            "first_dose_on": "2026-01-12",
        }

    def test_a_duplicate_is_a_409_naming_the_existing_order(
        self, org: Any, patient: Any, referral: Any
    ) -> None:
        client = f.login(f.make_user(org, "coordinator"))
        body = self._body(org, patient)
        first = client.post("/api/v1/access/orders", body, content_type="application/json")
        assert first.status_code == 201, first.content
        created = first.json()
        assert created["referral"] == str(referral.public_id)  # linked to the open referral
        assert created["signed"] is False  # a coordinator's entry awaits a signature
        again = client.post("/api/v1/access/orders", body, content_type="application/json")
        assert again.status_code == 409
        assert again.json()["existing_order"] == created["public_id"]
        assert "already has an active order for infliximab" in again.json()["detail"]
        assert TreatmentOrder.objects.filter(patient=patient).count() == 1

    def test_a_nurse_may_not_enter_orders(self, org: Any, patient: Any) -> None:
        client = f.login(f.make_user(org, "nurse"))
        body = self._body(org, patient)
        response = client.post("/api/v1/access/orders", body, content_type="application/json")
        assert response.status_code == 403
        assert not TreatmentOrder.objects.exists()
