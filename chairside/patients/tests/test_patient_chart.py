from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.patients.models import BodyMeasurement, Coverage, Diagnosis
from tests import factories as f


class TestPatientChart:
    def test_it_shows_demographics_coverage_diagnoses_weights_and_allergies(
        self, admin_client: Any, org: Any, patient: Any
    ) -> None:
        payer = f.make_payer(org, name="Medicare Part B", kind="medicare_b")
        f.make_coverage(patient, payer, member_id="1EG4TE5MK73")
        Diagnosis.objects.create(
            patient=patient,
            icd10_code="K50.90",
            description="Crohn's disease, unspecified, without complications",
        )
        html = admin_client.get(
            reverse("patients:chart", args=[patient.public_id])
        ).content.decode()
        for text in (
            "Hopper",
            "Medicare Part B",
            "1EG4TE5MK73",
            "K50.90",
            "70.0 kg",
            "Not yet reviewed",
        ):
            assert text in html

    def test_it_logs_every_chart_view(
        self, admin_client: Any, admin_user: Any, patient: Any
    ) -> None:
        admin_client.get(reverse("patients:chart", args=[patient.public_id]))
        admin_client.get(reverse("patients:chart", args=[patient.public_id]))
        views = AuditEvent.objects.filter(
            action="view", patient_id=patient.public_id, user=admin_user
        )
        assert views.count() == 2


class TestPatientEdit:
    def test_it_records_old_and_new_values(self, admin_client: Any, patient: Any) -> None:
        url = reverse("patients:edit", args=[patient.public_id])
        data = {
            "mrn": patient.mrn,
            "first_name": "Grace",
            "last_name": "Hopper-Murray",
            "date_of_birth": "1970-05-17",
            "sex": "F",
            "preferred_language": "English",
        }
        assert admin_client.post(url, data).status_code == 302
        event = AuditEvent.objects.get(action="update", patient_id=patient.public_id)
        assert event.changes["last_name"] == ["Hopper", "Hopper-Murray"]

    def test_the_auditor_reads_the_patients_trail(
        self, org: Any, admin_client: Any, patient: Any
    ) -> None:
        admin_client.get(reverse("patients:chart", args=[patient.public_id]))
        auditor = f.login(f.make_user(org, "auditor"))
        html = auditor.get(reverse("patients:audit", args=[patient.public_id])).content.decode()
        assert "Viewed" in html


class TestChartAdditions:
    def test_it_records_a_weight(self, org: Any, patient: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        url = reverse("patients:measurement_add", args=[patient.public_id])
        response = nurse.post(
            url,
            {
                "measured_on": "2026-02-01",
                "weight": "72.4",
                "weight_unit": "kg",
                "height_cm": "165",
            },
        )
        assert response.status_code == 302
        assert patient.measurements.filter(weight_kg="72.4").exists()

    def test_it_refuses_a_weight_outside_half_to_400_kg(
        self, admin_client: Any, patient: Any
    ) -> None:
        url = reverse("patients:measurement_add", args=[patient.public_id])
        for weight in ("0.3", "401", "-5"):
            response = admin_client.post(
                url, {"measured_on": "2026-02-01", "weight": weight, "weight_unit": "kg"}
            )
            assert response.status_code == 400, weight
            assert b"Nothing was saved" in response.content
        assert BodyMeasurement.objects.filter(patient=patient).count() == 1

    def test_a_weight_in_pounds_is_stored_in_kg_and_shown_with_both_units(
        self, org: Any, patient: Any
    ) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        url = reverse("patients:measurement_add", args=[patient.public_id])
        page = nurse.get(url).content.decode()
        assert '<option value="lb" selected>' in page  # US scales: pounds by default
        response = nurse.post(
            url, {"measured_on": "2026-02-02", "weight": "154", "weight_unit": "lb"}
        )
        assert response.status_code == 302
        stored = patient.measurements.get(measured_on="2026-02-02")
        assert stored.weight_kg == Decimal("69.9")  # 154 lb x 0.45359237 kg/lb
        chart = nurse.get(reverse("patients:chart", args=[patient.public_id])).content.decode()
        assert "69.9 kg (154.1 lb)" in chart
        # 900 lb is beyond the 400 kg bound: refused naming the unit it was typed in.
        response = nurse.post(
            url, {"measured_on": "2026-02-03", "weight": "900", "weight_unit": "lb"}
        )
        assert response.status_code == 400
        assert "900 lb is not a possible weight" in response.content.decode()
        assert not patient.measurements.filter(measured_on="2026-02-03").exists()

    def test_it_refuses_a_future_measurement(self, admin_client: Any, patient: Any) -> None:
        url = reverse("patients:measurement_add", args=[patient.public_id])
        future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
        response = admin_client.post(
            url, {"measured_on": future, "weight": "70", "weight_unit": "kg"}
        )
        assert response.status_code == 400
        assert b"future" in response.content
        assert not patient.measurements.filter(measured_on=future).exists()

    def test_it_fills_a_known_diagnosis_description_from_the_code(
        self, admin_client: Any, patient: Any
    ) -> None:
        url = reverse("patients:diagnosis_add", args=[patient.public_id])
        assert admin_client.post(url, {"icd10_code": "k5090"}).status_code == 302
        dx = patient.diagnoses.get()
        assert dx.icd10_code == "K50.90"
        assert dx.description.startswith("Crohn's disease")

    def test_it_refuses_a_malformed_icd10_code(self, admin_client: Any, patient: Any) -> None:
        url = reverse("patients:diagnosis_add", args=[patient.public_id])
        response = admin_client.post(url, {"icd10_code": "50.9X", "description": "x"})
        assert response.status_code == 400
        assert b"is not an ICD-10-CM code" in response.content
        assert not patient.diagnoses.exists()

    def test_it_refuses_a_category_and_offers_its_billable_codes(
        self, admin_client: Any, patient: Any
    ) -> None:
        url = reverse("patients:diagnosis_add", args=[patient.public_id])
        response = admin_client.post(url, {"icd10_code": "G35", "description": "MS"})
        assert response.status_code == 400
        assert b"G35 is a category, not a billable code" in response.content
        assert b"G35.A" in response.content and b"G35.D" in response.content
        assert not patient.diagnoses.exists()

    def test_it_adds_an_allergy_and_clears_nkda(self, org: Any, admin_client: Any) -> None:
        p = f.make_patient(org, no_known_allergies=True)
        url = reverse("patients:allergy_add", args=[p.public_id])
        assert (
            admin_client.post(url, {"substance": "Penicillin", "severity": "severe"}).status_code
            == 302
        )
        p.refresh_from_db()
        assert not p.no_known_allergies
        assert AuditEvent.objects.filter(
            patient_id=p.public_id, object_type="patients.allergy"
        ).exists()

    def test_removing_an_allergy_needs_a_reason_and_is_audited(
        self, admin_client: Any, patient: Any
    ) -> None:
        allergy = patient.allergies.create(substance="Latex")
        url = reverse("patients:allergy_remove", args=[patient.public_id, allergy.public_id])
        admin_client.post(url, {"reason": ""})
        assert patient.allergies.exists()
        admin_client.post(url, {"reason": "entered in error"})
        assert not patient.allergies.exists()
        assert (
            AuditEvent.objects.get(action="delete", patient_id=patient.public_id).reason
            == "entered in error"
        )


class TestCoverage:
    def _data(self, payer: Any, **kw: Any) -> dict[str, Any]:
        data = {
            "payer": payer.pk,
            "member_id": "W123",
            "order": 1,
            "subscriber_relation": "self",
            "effective_from": "2026-01-01",
        }
        data.update(kw)
        return data

    def test_it_adds_coverage(self, org: Any, admin_client: Any, patient: Any) -> None:
        payer = f.make_payer(org)
        url = reverse("patients:coverage_add", args=[patient.public_id])
        assert admin_client.post(url, self._data(payer)).status_code == 302
        assert patient.coverages.get().member_id == "W123"

    def test_it_checks_a_medicare_number_against_the_mbi_format(
        self, org: Any, admin_client: Any, patient: Any
    ) -> None:
        medicare = f.make_payer(org, name="Medicare Part B", kind="medicare_b")
        url = reverse("patients:coverage_add", args=[patient.public_id])
        response = admin_client.post(url, self._data(medicare, member_id="1SG4-TE5-MK73"))
        assert response.status_code == 400
        assert b"never use the letters S, L, O, I, B or Z" in response.content
        assert not patient.coverages.exists()
        assert (
            admin_client.post(url, self._data(medicare, member_id="1eg4-te5-mk73")).status_code
            == 302
        )
        assert patient.coverages.get().member_id == "1EG4TE5MK73"

    def test_it_checks_other_ids_against_the_payers_pattern(
        self, org: Any, admin_client: Any, patient: Any
    ) -> None:
        payer = f.make_payer(
            org, member_id_pattern=r"[A-Z]{3}\d{9}", member_id_hint="3 letters then 9 digits"
        )
        url = reverse("patients:coverage_add", args=[patient.public_id])
        response = admin_client.post(url, self._data(payer, member_id="12345"))
        assert response.status_code == 400
        assert b"3 letters then 9 digits" in response.content
        assert not Coverage.objects.filter(patient=patient, payer=payer).exists()
        assert (
            admin_client.post(url, self._data(payer, member_id="XYZ123456789")).status_code == 302
        )

    def test_it_refuses_an_end_date_before_the_start(
        self, org: Any, admin_client: Any, patient: Any
    ) -> None:
        payer = f.make_payer(org)
        url = reverse("patients:coverage_add", args=[patient.public_id])
        response = admin_client.post(url, self._data(payer, effective_to="2025-06-01"))
        assert response.status_code == 400
        assert b"end date is before the start date" in response.content
        assert not patient.coverages.exists()

    def test_it_refuses_two_primary_coverages_at_once(
        self, org: Any, admin_client: Any, patient: Any
    ) -> None:
        f.make_coverage(patient, f.make_payer(org, name="First"))
        url = reverse("patients:coverage_add", args=[patient.public_id])
        second = f.make_payer(org, name="Second")
        response = admin_client.post(url, self._data(second))
        assert response.status_code == 400
        assert b"already the primary coverage" in response.content
        assert not Coverage.objects.filter(patient=patient, payer=second).exists()

    def test_it_refuses_another_organizations_payer(
        self, other_org: Any, admin_client: Any, patient: Any
    ) -> None:
        url = reverse("patients:coverage_add", args=[patient.public_id])
        response = admin_client.post(url, self._data(f.make_payer(other_org)))
        assert response.status_code == 400
        assert not patient.coverages.exists()
