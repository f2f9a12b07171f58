from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.access.referrals import services
from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from tests import factories as f
from tests.factories import someone


class TestOrderCreateService:
    def test_it_copies_regimen_dose_and_labs_from_the_template(
        self, org: Any, patient: Any
    ) -> None:
        order = rf.make_order(patient, "infliximab", "Crohn")
        assert order.loading_days == [0, 14, 42]
        assert order.maintenance_interval_days == 56
        assert order.dose_mg_per_kg == Decimal("5")
        assert order.weight_kg_at_order == Decimal("70.0")  # the chart's latest weight
        assert order.expires_on == dt.date(2027, 1, 5)  # 12 months after signature
        assert set(order.required_labs.values_list("name", flat=True)) == {
            "Tuberculosis screening (TST or IGRA)",
            "Hepatitis B virus screening",
        }
        event = AuditEvent.objects.get(object_id=order.public_id, action="create")
        assert event.patient_id == patient.public_id

    def test_it_opens_a_benefits_check_per_active_coverage(self, org: Any) -> None:
        patient = rf.covered_patient(org)
        order = rf.make_order(patient)
        assert order.benefits.count() == 1
        assert order.benefits.get().status == "pending"

    def test_it_refuses_a_drug_of_another_formulary(
        self, org: Any, other_org: Any, patient: Any
    ) -> None:
        foreign = rf.drug(other_org, "infliximab")
        with pytest.raises(ValidationError) as exc:
            services.order_create(
                organization=org,
                user=someone(),
                patient=patient,
                drug=foreign,
                ordering_provider=rf.make_provider(org),
                signed_on=rf.SIGNED,
                dose_mg=Decimal(300),
                loading_days=[0],
                maintenance_interval_days=56,
            )
        assert "not in your formulary" in str(exc.value)
        assert not TreatmentOrder.objects.exists()

    def test_it_refuses_a_weight_based_dose_without_any_weight(self, org: Any) -> None:
        weightless = f.make_patient(org)
        with pytest.raises(ValidationError) as exc:
            rf.make_order(weightless, "infliximab", "Crohn")
        assert "record the patient's weight" in str(exc.value)
        assert not TreatmentOrder.objects.exists()

    def test_it_refuses_both_a_flat_dose_and_a_dose_per_kg(self, patient: Any) -> None:
        with pytest.raises(ValidationError, match="either a flat dose"):
            rf.make_order(patient, dose_mg=Decimal(300), dose_mg_per_kg=Decimal(5))

    def test_it_refuses_an_end_date_before_the_first_dose(self, patient: Any) -> None:
        with pytest.raises(ValidationError, match="end date is before the first dose"):
            rf.make_order(patient, first_dose_on=dt.date(2026, 2, 1), end_on=dt.date(2026, 1, 20))

    def test_it_refuses_a_first_dose_before_the_signature(self, patient: Any) -> None:
        with pytest.raises(ValidationError, match="before the signature"):
            rf.make_order(patient, first_dose_on=dt.date(2025, 12, 1))

    def test_it_refuses_more_doses_than_a_fixed_course(self, patient: Any) -> None:
        with pytest.raises(ValidationError, match="fixed course of 2 doses"):
            rf.make_order(patient, "rituximab", number_of_doses=3)

    def test_it_refuses_a_custom_regimen_that_does_not_start_at_day_0(
        self, org: Any, patient: Any
    ) -> None:
        with pytest.raises(ValidationError, match="must start at 0"):
            services.order_create(
                organization=org,
                user=someone(),
                patient=patient,
                drug=rf.drug(org, "natalizumab"),
                ordering_provider=rf.make_provider(org),
                signed_on=rf.SIGNED,
                dose_mg=Decimal(300),
                loading_days=[7, 35],
                maintenance_interval_days=28,
            )

    def test_it_refuses_diagnoses_of_another_patient(self, org: Any, patient: Any) -> None:
        other = f.make_patient(org)
        from chairside.patients.services import diagnosis_add

        dx = diagnosis_add(patient=other, user=someone(), icd10_code="K50.90")
        with pytest.raises(ValidationError, match="this patient's chart"):
            rf.make_order(patient, diagnoses=[dx])

    def test_it_links_the_referral_to_the_patient(self, org: Any, patient: Any) -> None:
        referral = rf.make_referral(org)
        order = rf.make_order(patient, referral=referral)
        referral.refresh_from_db()
        assert referral.patient == patient
        assert order.referral == referral


class TestOrderStatus:
    def test_it_needs_a_reason_to_hold(self, patient: Any) -> None:
        order = rf.make_order(patient)
        with pytest.raises(ValidationError, match="Say why"):
            services.order_set_status(order=order, user=someone(), status="on_hold")
        held = services.order_set_status(
            order=order, user=someone(), status="on_hold", reason="Infection"
        )
        assert held.status == "on_hold"
        assert AuditEvent.objects.filter(object_id=order.public_id, action="state").exists()

    def test_a_discontinued_order_stays_discontinued(self, patient: Any) -> None:
        order = rf.make_order(patient)
        services.order_set_status(
            order=order, user=someone(), status="discontinued", reason="Switched"
        )
        with pytest.raises(ValidationError, match="cannot become active"):
            services.order_set_status(order=order, user=someone(), status="active")


class TestOrderPages:
    def _post(self, org: Any, patient: Any, **over: Any) -> dict[str, Any]:
        d = rf.drug(org, "infliximab")
        data = {
            "drug": d.pk,
            "regimen_template": d.regimens.get(name__startswith="Crohn").pk,
            "ordering_provider": rf.make_provider(org).pk,
            "signed_on": "2026-01-05",
            "first_dose_on": "2026-01-12",
            "route": "IV",
        }
        data.update(over)
        return data

    def test_it_creates_an_order_and_shows_its_schedule_and_dose(
        self, org: Any, patient: Any, coordinator_client: Any
    ) -> None:
        url = reverse("referrals:order_create", args=[patient.public_id])
        response = coordinator_client.post(url, self._post(org, patient))
        order = TreatmentOrder.objects.get(patient=patient)
        assert response.status_code == 302
        page = coordinator_client.get(reverse("referrals:order", args=[order.public_id]))
        assert b"350 mg" in page.content  # 5 mg/kg x 70 kg
        assert b"Mon 01/26/2026" in page.content  # week 2
        assert b"Mon 02/23/2026" in page.content  # week 6

    def test_it_shows_bad_input_and_saves_nothing(
        self, org: Any, patient: Any, coordinator_client: Any
    ) -> None:
        url = reverse("referrals:order_create", args=[patient.public_id])
        response = coordinator_client.post(
            url, self._post(org, patient, end_on="2026-01-10", first_dose_on="2026-01-12")
        )
        assert response.status_code == 400
        assert b"end date is before the first dose" in response.content
        assert not TreatmentOrder.objects.exists()

    def test_it_is_404_for_another_organizations_patient_and_order(
        self, org: Any, coordinator_client: Any, foreign_patient: Any
    ) -> None:
        url = reverse("referrals:order_create", args=[foreign_patient.public_id])
        assert coordinator_client.get(url).status_code == 404
        foreign = rf.make_order(rf.covered_patient(foreign_patient.organization))
        assert (
            coordinator_client.get(reverse("referrals:order", args=[foreign.public_id])).status_code
            == 404
        )
        edit = reverse("referrals:order_edit", args=[foreign.public_id])
        assert coordinator_client.get(edit).status_code == 404

    @pytest.mark.parametrize("role", ["nurse", "biller", "auditor", "pharmacist"])
    def test_only_access_roles_enter_orders(self, org: Any, patient: Any, role: str) -> None:
        client = f.login(f.make_user(org, role))
        url = reverse("referrals:order_create", args=[patient.public_id])
        assert client.get(url).status_code == 403
        order = rf.make_order(patient)
        assert client.get(reverse("referrals:order", args=[order.public_id])).status_code == 200
        status = reverse("referrals:order_status", args=[order.public_id])
        was = order.status
        assert client.post(status, {"status": "on_hold", "reason": "x"}).status_code == 403
        order.refresh_from_db()
        assert order.status == was != "on_hold"

    def test_the_regimen_picker_lists_only_the_drugs_regimens(
        self, org: Any, coordinator_client: Any
    ) -> None:
        d = rf.drug(org, "tocilizumab-iv")
        response = coordinator_client.get(reverse("referrals:regimen_options"), {"drug": d.pk})
        assert b"Rheumatoid arthritis" in response.content
        assert b"Crohn" not in response.content
