from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.access.referrals.selectors import labs_due
from chairside.access.referrals.tests import factories as rf
from chairside.patients.models import LabResult
from chairside.patients.services import lab_result_record
from tests import factories as f
from tests.factories import someone

JCV = "Anti-JCV antibody (with index)"


class TestLabsDue:
    def test_it_names_labs_never_recorded(self, patient: Any) -> None:
        order = rf.make_order(patient, "infliximab")
        messages = [d.message for d in labs_due(order=order, on_date=dt.date(2026, 1, 12))]
        assert messages == [
            "Hepatitis B virus screening never recorded",
            "Tuberculosis screening (TST or IGRA) never recorded",
        ]

    def test_a_once_only_lab_is_done_for_good(self, patient: Any) -> None:
        order = rf.make_order(patient, "infliximab")
        for name in ("Hepatitis B virus screening", "tuberculosis screening (tst or igra)"):
            lab_result_record(
                patient=patient, user=someone(), lab_name=name, result_on=dt.date(2025, 6, 1)
            )
        assert labs_due(order=order, on_date=dt.date(2026, 9, 1)) == []

    def test_it_asks_for_the_jcv_antibody_again_after_180_days(self, patient: Any) -> None:
        order = rf.make_order(patient, "natalizumab")
        lab_result_record(
            patient=patient, user=someone(), lab_name=JCV, result_on=dt.date(2026, 3, 1)
        )
        assert labs_due(order=order, on_date=dt.date(2026, 8, 27)) == []
        [due] = labs_due(order=order, on_date=dt.date(2026, 8, 28))
        assert due.message == f"{JCV} last 03/01/2026, due every 180 days"
        assert due.due_on == dt.date(2026, 8, 28)

    def test_a_result_after_the_dose_date_does_not_count_for_it(self, patient: Any) -> None:
        order = rf.make_order(patient, "natalizumab")
        lab_result_record(
            patient=patient, user=someone(), lab_name=JCV, result_on=dt.date(2026, 3, 1)
        )
        assert [d.name for d in labs_due(order=order, on_date=dt.date(2026, 2, 1))] == [JCV]


class TestLabResultRecord:
    def test_it_refuses_a_future_date(self, patient: Any) -> None:
        with pytest.raises(ValidationError, match="future"):
            lab_result_record(
                patient=patient, user=someone(), lab_name=JCV, result_on=dt.date(2999, 1, 1)
            )
        assert not LabResult.objects.exists()

    @pytest.mark.parametrize(
        ("role", "status"),
        [
            ("nurse", 302),
            ("coordinator", 302),
            ("provider", 302),
            ("biller", 403),
            ("auditor", 403),
        ],
    )
    def test_clinical_and_access_roles_record_results(
        self, org: Any, patient: Any, role: str, status: int
    ) -> None:
        client = f.login(f.make_user(org, role))
        url = reverse("referrals:lab_add", args=[patient.public_id])
        data = {"lab_name": JCV, "result_on": "2026-03-01", "interpretation": "negative"}
        assert client.post(url, data).status_code == status
        assert LabResult.objects.filter(patient=patient).exists() == (status == 302)

    def test_it_is_404_for_another_organizations_patient(
        self, coordinator_client: Any, foreign_patient: Any
    ) -> None:
        url = reverse("referrals:lab_add", args=[foreign_patient.public_id])
        assert coordinator_client.get(url).status_code == 404

    def test_the_chart_shows_orders_and_labs(
        self, org: Any, patient: Any, coordinator_client: Any
    ) -> None:
        rf.make_order(patient, "natalizumab")
        lab_result_record(
            patient=patient, user=someone(), lab_name=JCV, result_on=dt.date(2026, 3, 1)
        )
        page = coordinator_client.get(reverse("patients:chart", args=[patient.public_id]))
        assert b"Treatment orders and access" in page.content
        assert b"natalizumab" in page.content
        assert JCV.encode() in page.content
