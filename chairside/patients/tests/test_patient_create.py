from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.patients import services
from chairside.patients.models import Patient
from tests import factories as f

VALID = {
    "mrn": "A-1001",
    "first_name": "Rosa",
    "last_name": "Parks",
    "date_of_birth": "1961-02-04",
    "sex": "F",
    "preferred_language": "English",
}


class TestPatientCreateService:
    def test_it_creates_and_audits(self, org: Any, admin_user: Any) -> None:
        patient = services.patient_create(
            organization=org,
            user=admin_user,
            mrn="X1",
            first_name="Rosa",
            last_name="Parks",
            date_of_birth=dt.date(1961, 2, 4),
            sex="F",
        )
        event = AuditEvent.objects.get(object_id=patient.public_id, action="create")
        assert event.user == admin_user
        assert event.patient_id == patient.public_id
        assert event.changes["last_name"] == [None, "Parks"]

    def test_it_rejects_a_future_birth_date(self, org: Any, admin_user: Any) -> None:
        with pytest.raises(ValidationError) as exc:
            services.patient_create(
                organization=org,
                user=admin_user,
                mrn="X2",
                first_name="A",
                last_name="B",
                date_of_birth=timezone.localdate() + dt.timedelta(days=3),
                sex="F",
            )
        assert "future" in str(exc.value)
        assert not Patient.objects.filter(mrn="X2").exists()

    def test_it_rejects_a_duplicate_mrn_in_the_same_organization(
        self, org: Any, admin_user: Any
    ) -> None:
        f.make_patient(org, mrn="DUP-1")
        with pytest.raises(ValidationError) as exc:
            services.patient_create(
                organization=org,
                user=admin_user,
                mrn="DUP-1",
                first_name="A",
                last_name="B",
                date_of_birth=dt.date(1980, 1, 1),
                sex="M",
            )
        assert "MRN" in str(exc.value)
        assert Patient.objects.filter(mrn="DUP-1").count() == 1

    def test_it_allows_the_same_mrn_in_another_organization(
        self, org: Any, other_org: Any, admin_user: Any
    ) -> None:
        f.make_patient(other_org, mrn="SHARED-1")
        services.patient_create(
            organization=org,
            user=admin_user,
            mrn="SHARED-1",
            first_name="A",
            last_name="B",
            date_of_birth=dt.date(1980, 1, 1),
            sex="M",
        )
        assert Patient.objects.filter(mrn="SHARED-1").count() == 2


class TestPatientCreatePage:
    def test_it_registers_a_patient_and_opens_the_chart(self, admin_client: Any, org: Any) -> None:
        response = admin_client.post(reverse("patients:create"), VALID)
        patient = Patient.objects.get(organization=org, mrn="A-1001")
        assert response.status_code == 302
        assert response["Location"] == reverse("patients:chart", args=[patient.public_id])

    def test_it_warns_of_a_likely_duplicate_and_saves_nothing_until_confirmed(
        self, admin_client: Any, org: Any
    ) -> None:
        f.make_patient(
            org,
            first_name="Rosa",
            last_name="Parks",
            date_of_birth=dt.date(1961, 2, 4),
            mrn="OLD-1",
        )
        response = admin_client.post(reverse("patients:create"), VALID)
        assert response.status_code == 400
        assert b"Possible duplicate" in response.content
        assert not Patient.objects.filter(mrn="A-1001").exists()
        confirmed = admin_client.post(
            reverse("patients:create"), {**VALID, "confirm_not_duplicate": "on"}
        )
        assert confirmed.status_code == 302
        assert Patient.objects.filter(mrn="A-1001").exists()

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("date_of_birth", "2999-01-01", b"cannot be in the future"),
            ("mrn", "", b"This field is required"),
            ("sex", "Q", b"Select a valid choice"),
            ("email", "not-an-email", b"valid email"),
        ],
    )
    def test_it_shows_a_clear_message_and_saves_nothing(
        self, admin_client: Any, org: Any, field: str, value: str, message: bytes
    ) -> None:
        response = admin_client.post(reverse("patients:create"), {**VALID, field: value})
        assert response.status_code == 400
        assert message in response.content
        assert b"Nothing was saved" in response.content
        assert not Patient.objects.filter(organization=org).exists()

    def test_it_shows_every_problem_at_once(self, admin_client: Any, org: Any) -> None:
        f.make_patient(org, mrn="A-1001")
        response = admin_client.post(
            reverse("patients:create"), {**VALID, "date_of_birth": "2999-01-01"}
        )
        assert response.status_code == 400
        assert b"cannot be in the future" in response.content
        assert b"Another patient already has MRN A-1001" in response.content
        assert Patient.objects.filter(organization=org).count() == 1

    def test_it_refuses_a_nurse(self, org: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        assert nurse.post(reverse("patients:create"), VALID).status_code == 403
        assert not Patient.objects.exists()
