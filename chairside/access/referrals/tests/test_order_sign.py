"""Issue 11.2: only ``order.sign`` signs; a change to what was signed voids the signature."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.access.referrals import services
from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from chairside.patients.models import Diagnosis
from tests import factories as f


@pytest.fixture
def coordinator(org: Any) -> Any:
    return f.make_user(org, "coordinator")


@pytest.fixture
def physician(org: Any) -> Any:
    return f.make_user(org, "provider")


class TestOrderEntry:
    def test_it_makes_a_coordinators_order_a_draft_awaiting_signature(
        self, patient: Any, coordinator: Any
    ) -> None:
        order = rf.make_order(patient, user=coordinator, signed=False)
        assert not order.is_signed
        assert order.entered_by == coordinator
        assert order.signed_by is None
        assert order.signature_problem() == "The order awaits a physician's or NP's signature"

    def test_it_signs_a_physicians_own_order(self, patient: Any, physician: Any) -> None:
        order = rf.make_order(patient, user=physician, signed=False)
        assert order.is_signed
        assert order.signed_by == physician
        assert order.entered_by == physician


class TestOrderSign:
    def test_it_lets_a_physician_sign_and_audits_it(
        self, patient: Any, coordinator: Any, physician: Any
    ) -> None:
        order = rf.make_order(patient, user=coordinator, signed=False)
        signed = services.order_sign(order=order, user=physician)
        assert signed.is_signed and signed.signed_by == physician
        event = AuditEvent.objects.get(object_id=order.public_id, action="state")
        assert event.changes["signature"][0] == "awaiting signature"
        assert event.user == physician

    def test_it_refuses_a_coordinators_signature(self, patient: Any, coordinator: Any) -> None:
        order = rf.make_order(patient, user=coordinator, signed=False)
        with pytest.raises(ValidationError, match="Only a physician or NP"):
            services.order_sign(order=order, user=coordinator)
        order.refresh_from_db()
        assert not order.is_signed

    def test_it_signs_several_at_once_or_none(
        self, org: Any, patient: Any, coordinator: Any, physician: Any
    ) -> None:
        first = rf.make_order(patient, user=coordinator, signed=False)
        second = rf.make_order(f.make_patient(org, weight_kg="80.0"), "ocrelizumab", signed=False)
        services.orders_sign(orders=[first, second], user=physician)
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.is_signed and second.is_signed
        third = rf.make_order(f.make_patient(org, weight_kg="60.0"), signed=False)
        with pytest.raises(ValidationError, match="already signed"):
            services.orders_sign(orders=[third, first], user=physician)
        third.refresh_from_db()
        assert not third.is_signed, "a refused batch signs nothing"


class TestChangeAfterSignature:
    def test_it_voids_the_signature_when_a_coordinator_raises_the_dose(
        self, patient: Any, coordinator: Any
    ) -> None:
        order = rf.make_order(patient)
        assert order.is_signed
        changed = services.order_update(order=order, user=coordinator, dose_mg_per_kg=Decimal("10"))
        assert not changed.is_signed
        assert changed.signature_voided_by == coordinator
        assert changed.signature_void_reason == "changed: dose"
        assert "signature was voided" in (changed.signature_problem() or "")
        event = (
            AuditEvent.objects.filter(object_id=order.public_id, action="state")
            .order_by("pk")
            .last()
        )
        assert event is not None and event.user == coordinator
        assert event.changes["signature"][1] == "voided"

    def test_it_voids_the_signature_for_new_diagnoses_and_labs(
        self, patient: Any, coordinator: Any
    ) -> None:
        order = rf.make_order(patient)
        dx = Diagnosis.objects.create(
            patient=patient, icd10_code="K50.90", description="Crohn's disease"
        )
        assert not services.order_update(order=order, user=coordinator, diagnoses=[dx]).is_signed
        again = rf.make_order(f.make_patient(order.organization, weight_kg="60.0"))
        services.order_lab_add(order=again, user=coordinator, name="CBC", every_days=90)
        again.refresh_from_db()
        assert not again.is_signed
        assert again.signature_void_reason == "changed: labs"

    def test_it_keeps_the_signature_for_a_new_first_dose_date(
        self, patient: Any, coordinator: Any
    ) -> None:
        order = rf.make_order(patient)
        moved = services.order_update(
            order=order, user=coordinator, first_dose_on=order.first_dose_on, notes="Moved"
        )
        assert moved.is_signed

    def test_it_counts_a_physicians_own_change_as_signed_by_her(
        self, patient: Any, coordinator: Any, physician: Any
    ) -> None:
        order = rf.make_order(patient, user=coordinator, signed=False)
        changed = services.order_update(order=order, user=physician, dose_mg_per_kg=Decimal(10))
        assert changed.is_signed and changed.signed_by == physician


class TestPhysicianPages:
    """Issue 13.4: the physician enters orders and works a "To sign" queue."""

    def _post(self, org: Any) -> dict[str, Any]:
        d = rf.drug(org, "infliximab")
        return {
            "drug": d.pk,
            "regimen_template": d.regimens.get(name__startswith="Crohn").pk,
            "ordering_provider": rf.make_provider(org).pk,
            "signed_on": "2026-01-05",
            "first_dose_on": "2026-01-12",
            "route": "IV",
        }

    def test_a_physician_gets_new_order_and_it_is_signed_in_her_name(
        self, org: Any, patient: Any, physician: Any
    ) -> None:
        client = f.login(physician)
        url = reverse("referrals:order_create", args=[patient.public_id])
        assert client.get(url).status_code == 200
        assert client.post(url, self._post(org)).status_code == 302
        order = TreatmentOrder.objects.get(patient=patient)
        assert order.signed_by == physician and order.entered_by == physician
        chart = client.get(reverse("patients:chart", args=[patient.public_id]))
        assert b"New order" in chart.content

    def test_a_coordinators_order_shows_awaiting_signature_and_who_entered_it(
        self, org: Any, patient: Any, coordinator: Any
    ) -> None:
        client = f.login(coordinator)
        url = reverse("referrals:order_create", args=[patient.public_id])
        assert client.post(url, self._post(org)).status_code == 302
        order = TreatmentOrder.objects.get(patient=patient)
        page = client.get(reverse("referrals:order", args=[order.public_id])).content.decode()
        assert "Awaiting signature" in page
        assert f"by {coordinator.username}" in page
        assert "Sign this order" not in page  # a coordinator cannot sign

    def test_the_queue_lists_drafts_and_signs_the_chosen_ones(
        self, org: Any, patient: Any, coordinator: Any, physician: Any
    ) -> None:
        first = rf.make_order(patient, user=coordinator, signed=False)
        second = rf.make_order(f.make_patient(org, weight_kg="60.0"), signed=False)
        signed = rf.make_order(f.make_patient(org, weight_kg="65.0"))
        client = f.login(physician)
        today = client.get(reverse("today")).content.decode()
        assert "Orders to sign" in today
        queue = client.get(reverse("referrals:to_sign")).content.decode()
        assert str(first.public_id) in queue and str(second.public_id) in queue
        assert str(signed.public_id) not in queue
        done = client.post(
            reverse("referrals:to_sign"), {"order": [first.public_id, second.public_id]}
        )
        assert done.status_code == 302
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.signed_by == physician and second.signed_by == physician
        page = client.get(reverse("referrals:order", args=[first.public_id])).content.decode()
        assert f"by {physician.username}" in page and "Signed" in page

    def test_a_voided_signature_is_shown_in_red(
        self, org: Any, patient: Any, coordinator: Any
    ) -> None:
        order = rf.make_order(patient)
        services.order_update(order=order, user=coordinator, dose_mg_per_kg=Decimal(10))
        page = f.login(coordinator).get(reverse("referrals:order", args=[order.public_id]))
        html = page.content.decode()
        assert 'class="badge bad">Signature voided' in html
        assert "changed: dose" in html

    @pytest.mark.parametrize("role", ["coordinator", "nurse", "pharmacist"])
    def test_only_signers_see_the_queue_or_sign(self, org: Any, patient: Any, role: str) -> None:
        client = f.login(f.make_user(org, role))
        order = rf.make_order(patient, signed=False)
        assert client.get(reverse("referrals:to_sign")).status_code == 403
        sign = reverse("referrals:order_sign", args=[order.public_id])
        assert client.post(sign).status_code == 403
        order.refresh_from_db()
        assert not order.is_signed
