"""Assistance programs: enrolment, what the estimate shows, and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.access.authorizations import services
from chairside.access.authorizations.estimates import order_estimate
from chairside.access.authorizations.models import AssistanceEnrollment
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from tests import factories as f
from tests.factories import someone

D = Decimal
TODAY = dt.date(2026, 1, 10)


def _program(org: Any, kind: str = "copay", **kw: Any) -> Any:
    return services.assistance_program_create(
        organization=org, user=someone(), name=kw.pop("name", f"{kind} program"), kind=kind, **kw
    )


def _enroll(patient: Any, program: Any, drug: Any, **kw: Any) -> AssistanceEnrollment:
    kw.setdefault("member_id", "CARD-1")
    kw.setdefault("enrolled_on", dt.date(2026, 1, 1))
    kw.setdefault("expires_on", dt.date(2026, 12, 31))
    return services.assistance_enroll(
        patient=patient, user=someone(), program=program, drug=drug, **kw
    )


def _order_with_share(org: Any, kind: str) -> Any:
    """Ocrelizumab with 2,626.40 owed by the patient (see test_estimate)."""
    patient = rf.covered_patient(org, kind=kind)
    order = rf.make_order(patient, "ocrelizumab", first_dose_on=dt.date(2026, 1, 12))
    services.benefits_verify(
        investigation=rf.pending_benefits(order),
        user=someone(),
        coverage_active=True,
        pa_required="no",
        verified_on=dt.date(2026, 1, 6),
        deductible=D(283),
        allowed_per_unit=D("10.000"),
        coinsurance_percent=D(20),
    )
    return order


class TestEnrollment:
    def test_it_enrolls_and_audits(self, org: Any) -> None:
        patient = f.make_patient(org)
        drug = rf.drug(org, "ocrelizumab")
        enrollment = _enroll(patient, _program(org), drug, annual_cap=D(15000))
        assert enrollment.is_active_on(TODAY)
        assert services.enrollment_remaining(enrollment, 2026) == D("15000.00")
        assert AuditEvent.objects.filter(object_id=enrollment.public_id, action="create").exists()

    def test_a_drug_specific_program_refuses_another_drug(self, org: Any) -> None:
        program = _program(org, drug=rf.drug(org, "ocrelizumab"))
        with pytest.raises(ValidationError, match="covers"):
            _enroll(f.make_patient(org), program, rf.drug(org, "vedolizumab"))
        assert not AssistanceEnrollment.objects.exists()

    def test_an_end_date_before_the_start_is_refused(self, org: Any) -> None:
        with pytest.raises(ValidationError, match="before the start"):
            _enroll(
                f.make_patient(org),
                _program(org),
                rf.drug(org, "ocrelizumab"),
                expires_on=dt.date(2025, 6, 1),
            )


class TestEstimateWithPrograms:
    def test_a_copay_program_takes_a_commercial_patients_share_up_to_its_cap(
        self, org: Any
    ) -> None:
        order = _order_with_share(org, "commercial")
        _enroll(order.patient, _program(org), order.drug, annual_cap=D(2000))
        estimate = order_estimate(order, TODAY)
        assert estimate.estimate is not None
        owes = estimate.estimate.patient_owes
        [help_] = estimate.programs
        assert help_.pays == D("2000.00") and help_.remaining == D("2000.00")
        assert estimate.patient_after_programs == owes - D(2000)
        # Already enrolled: the estimate points past the copay program, not back to it.
        assert "Enroll" not in estimate.advice and "foundation" in estimate.advice

    def test_a_copay_program_pays_nothing_for_a_medicare_patient(self, org: Any) -> None:
        order = _order_with_share(org, "medicare_b")
        _enroll(order.patient, _program(org), order.drug, annual_cap=D(20000))
        estimate = order_estimate(order, TODAY)
        [help_] = estimate.programs
        assert help_.pays == 0 and "anti-kickback" in help_.note
        assert estimate.patient_after_programs == D("2626.40")
        assert "foundation" in estimate.advice

    def test_free_drug_takes_the_drug_out_of_the_estimate(self, org: Any) -> None:
        order = _order_with_share(org, "commercial")
        _enroll(order.patient, _program(org, "free_drug"), order.drug)
        estimate = order_estimate(order, TODAY)
        assert estimate.estimate is not None
        assert estimate.estimate.allowed == 0
        assert any("Free drug" in n for n in estimate.notes)


class TestPages:
    def test_the_chart_shows_active_enrolments_and_the_way_to_enrol(
        self, org: Any, coordinator_client: Any
    ) -> None:
        patient = f.make_patient(org)
        chart = reverse("patients:chart", args=[patient.public_id])
        page = coordinator_client.get(chart).content.decode()
        assert "No active copay, foundation or free-drug enrollment." in page
        assert reverse("authorizations:assistance", args=[patient.public_id]) in page
        _enroll(patient, _program(org), rf.drug(org, "ocrelizumab"), annual_cap=D(15000))
        page = coordinator_client.get(chart).content.decode()
        assert "Enroll or review" in page and "$15,000.00" in page

    def test_a_coordinator_enrolls_a_patient(self, org: Any, coordinator_client: Any) -> None:
        patient = f.make_patient(org)
        program = _program(org)
        url = reverse("authorizations:assistance", args=[patient.public_id])
        data = {
            "program": program.pk,
            "drug": rf.drug(org, "ocrelizumab").pk,
            "member_id": "OCR-778",
            "enrolled_on": "2026-01-01",
            "expires_on": "2026-12-31",
            "annual_cap": "15000",
        }
        assert coordinator_client.post(url, data).status_code == 302
        page = coordinator_client.get(url).content.decode()
        assert "OCR-778" in page and "15,000.00" in page

    def test_bad_input_is_shown_and_nothing_saved(self, org: Any, coordinator_client: Any) -> None:
        patient = f.make_patient(org)
        url = reverse("authorizations:assistance", args=[patient.public_id])
        response = coordinator_client.post(
            url,
            {
                "program": _program(org).pk,
                "drug": rf.drug(org, "ocrelizumab").pk,
                "member_id": "X",
                "enrolled_on": "2026-06-01",
                "expires_on": "2026-01-01",
            },
        )
        assert response.status_code == 400
        assert b"end date is before the start" in response.content
        assert not AssistanceEnrollment.objects.exists()

    def test_another_organizations_patient_is_404(
        self, other_org: Any, coordinator_client: Any
    ) -> None:
        patient = f.make_patient(other_org)
        url = reverse("authorizations:assistance", args=[patient.public_id])
        assert coordinator_client.get(url).status_code == 404

    def test_a_nurse_cannot_enroll(self, org: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        patient = f.make_patient(org)
        url = reverse("authorizations:assistance", args=[patient.public_id])
        nurse.post(url, {"member_id": "X"})
        assert not AssistanceEnrollment.objects.exists()
