from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.access.referrals import selectors, services
from chairside.access.referrals.models import Referral
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from tests import factories as f


@pytest.fixture
def user(org: Any) -> Any:
    return f.make_user(org, "coordinator")


class TestReferralTransition:
    def test_it_needs_the_patient_and_the_order_to_complete_intake(
        self, org: Any, user: Any
    ) -> None:
        referral = rf.make_referral(org)
        with pytest.raises(ValidationError, match="Link or register the patient"):
            services.referral_transition(referral=referral, user=user, to_state="intake_complete")
        patient = rf.covered_patient(org)
        services.referral_update(referral=referral, user=user, patient=patient)
        with pytest.raises(ValidationError, match="Enter the treatment order"):
            services.referral_transition(referral=referral, user=user, to_state="intake_complete")
        rf.make_order(patient, referral=referral)
        moved = services.referral_transition(
            referral=referral, user=user, to_state="intake_complete", on_date=dt.date(2026, 1, 6)
        )
        assert moved.state == "intake_complete"
        event = AuditEvent.objects.get(object_id=referral.public_id, action="state")
        assert event.changes == {"state": ["received", "intake_complete"]}

    def test_it_needs_a_reason_to_decline(self, org: Any, user: Any) -> None:
        referral = rf.make_referral(org)
        with pytest.raises(ValidationError, match="Give a reason"):
            services.referral_transition(referral=referral, user=user, to_state="declined")
        declined = services.referral_transition(
            referral=referral, user=user, to_state="declined", reason="Chose another center"
        )
        assert declined.closed_reason == "Chose another center"

    def test_it_refuses_to_skip_a_step(self, org: Any, user: Any) -> None:
        referral = rf.make_referral(org)
        with pytest.raises(ValidationError, match="cannot go from Received to Authorized"):
            services.referral_transition(referral=referral, user=user, to_state="authorized")
        assert Referral.objects.get(pk=referral.pk).state == "received"

    def test_it_refuses_a_change_dated_before_the_current_state(self, org: Any, user: Any) -> None:
        referral = rf.make_referral(org, received_on=dt.date(2026, 1, 10))
        with pytest.raises(ValidationError, match="cannot be dated before 01/10/2026"):
            services.referral_transition(
                referral=referral,
                user=user,
                to_state="declined",
                reason="x",
                on_date=dt.date(2026, 1, 2),
            )

    @time_machine.travel(dt.datetime(2026, 2, 20, 15, tzinfo=dt.UTC), tick=False)
    def test_it_follows_benefits_and_approval_and_counts_the_days(
        self, org: Any, user: Any
    ) -> None:
        patient = rf.covered_patient(org)
        referral = rf.make_referral(org, patient=patient, received_on=dt.date(2026, 1, 2))
        order = rf.make_order(patient, referral=referral)
        services.referral_transition(
            referral=referral, user=user, to_state="intake_complete", on_date=dt.date(2026, 1, 5)
        )
        rf.verify_benefits(order, user, verified_on=dt.date(2026, 1, 6))
        referral.refresh_from_db()
        assert referral.state == "benefits_verified"
        rf.approved_authorization(order, user)
        referral.refresh_from_db()
        assert referral.state == "authorized"
        days = selectors.referral_days(referral, dt.date(2026, 2, 20))
        assert days == {
            "received": 3,
            "intake_complete": 1,
            "benefits_verified": 1,  # verified 01/06, approved 01/07
            "authorized": 44,
        }

    def test_it_reaches_authorized_at_once_when_no_authorization_is_needed(
        self, org: Any, user: Any
    ) -> None:
        patient = rf.covered_patient(org, kind="medicare_b")
        referral = rf.make_referral(org, patient=patient)
        order = rf.make_order(patient, referral=referral)
        services.referral_transition(referral=referral, user=user, to_state="intake_complete")
        rf.verify_benefits(order, user, pa_required="no")
        referral.refresh_from_db()
        assert referral.state == "authorized"
        assert order.authorizations.get().status == "not_required"


class TestRegisterAndLinkPatient:
    def test_it_registers_the_referred_person_with_the_referral_diagnosis(
        self, org: Any, coordinator_client: Any
    ) -> None:
        referral = rf.make_referral(org, diagnosis_code="K50.90")
        url = reverse("referrals:register_patient", args=[referral.public_id])
        coordinator_client.post(url, {"mrn": "R-77", "sex": "F"})
        referral.refresh_from_db()
        assert referral.patient is not None
        assert referral.patient.mrn == "R-77"
        assert referral.patient.last_name == "Byron"
        assert referral.patient.diagnoses.get().icd10_code == "K50.90"

    def test_it_offers_an_existing_chart_with_the_same_name_and_birth_date(
        self, org: Any, coordinator_client: Any
    ) -> None:
        existing = f.make_patient(
            org, first_name="Ada", last_name="Byron", date_of_birth=dt.date(1980, 12, 10)
        )
        referral = rf.make_referral(org)
        page = coordinator_client.get(reverse("referrals:detail", args=[referral.public_id]))
        assert f"Link to {existing}".encode() in page.content
        url = reverse("referrals:link_patient", args=[referral.public_id])
        coordinator_client.post(url, {"patient": existing.public_id})
        referral.refresh_from_db()
        assert referral.patient == existing

    def test_it_will_not_link_another_organizations_patient(
        self, org: Any, coordinator_client: Any, foreign_patient: Any
    ) -> None:
        referral = rf.make_referral(org)
        url = reverse("referrals:link_patient", args=[referral.public_id])
        response = coordinator_client.post(url, {"patient": foreign_patient.public_id})
        assert response.status_code == 404
        referral.refresh_from_db()
        assert referral.patient is None


class TestTransitionPage:
    def test_a_coordinator_declines_with_a_reason(self, org: Any, coordinator_client: Any) -> None:
        referral = rf.make_referral(org)
        url = reverse("referrals:transition", args=[referral.public_id])
        coordinator_client.post(url, {"to_state": "declined", "reason": "Out of network"})
        referral.refresh_from_db()
        assert referral.state == "declined"

    def test_a_refused_move_is_explained_and_changes_nothing(
        self, org: Any, coordinator_client: Any
    ) -> None:
        referral = rf.make_referral(org)
        url = reverse("referrals:transition", args=[referral.public_id])
        response = coordinator_client.post(url, {"to_state": "intake_complete"}, follow=True)
        assert b"Link or register the patient" in response.content
        referral.refresh_from_db()
        assert referral.state == "received"

    def test_a_nurse_cannot_move_a_referral(self, org: Any) -> None:
        referral = rf.make_referral(org)
        nurse = f.login(f.make_user(org, "nurse"))
        url = reverse("referrals:transition", args=[referral.public_id])
        assert nurse.post(url, {"to_state": "declined", "reason": "x"}).status_code == 403
        referral.refresh_from_db()
        assert referral.state == "received"


class TestBlockedMoves:
    def test_the_page_says_what_blocks_the_next_step(
        self, org: Any, coordinator_client: Any
    ) -> None:
        referral = rf.make_referral(org)
        page = coordinator_client.get(reverse("referrals:detail", args=[referral.public_id]))
        assert b"disabled>Mark intake complete" in page.content
        assert b"Link or register the patient before completing intake." in page.content
