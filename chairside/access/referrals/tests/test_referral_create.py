from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chairside.access.referrals.models import Referral
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from tests import factories as f


class TestReferralCreateService:
    def test_it_logs_a_received_referral_and_audits_it(self, org: Any) -> None:
        referral = rf.make_referral(org, diagnosis_code="k5090")
        assert referral.state == "received"
        assert referral.diagnosis_code == "K50.90"
        assert "Crohn" in referral.diagnosis_description
        assert AuditEvent.objects.filter(object_id=referral.public_id, action="create").exists()

    def test_it_refuses_a_received_date_in_the_future(self, org: Any) -> None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        with pytest.raises(ValidationError, match="cannot be in the future"):
            rf.make_referral(org, received_on=tomorrow)
        assert not Referral.objects.exists()

    def test_it_needs_the_drug(self, org: Any) -> None:
        with pytest.raises(ValidationError, match="Name the drug"):
            rf.make_referral(org, requested_drug=None)

    def test_it_needs_a_patient_name_and_birth_date_or_a_chart(self, org: Any) -> None:
        with pytest.raises(ValidationError, match="last name and birth date"):
            rf.make_referral(org, patient_date_of_birth=None)

    def test_it_refuses_a_provider_of_another_organization(self, org: Any, other_org: Any) -> None:
        with pytest.raises(ValidationError, match="organization's providers"):
            rf.make_referral(org, provider=rf.make_provider(other_org))


class TestReferralPages:
    def _data(self, org: Any, **over: Any) -> dict[str, Any]:
        data = {
            "received_on": "2026-03-02",
            "referring_provider": rf.make_provider(org).pk,
            "patient_first_name": "Lena",
            "patient_last_name": "Vogel",
            "patient_date_of_birth": "1994-06-06",
            "requested_drug": rf.drug(org, "vedolizumab").pk,
            "diagnosis_code": "K50.90",
        }
        data.update(over)
        return data

    def test_a_coordinator_logs_a_referral(self, org: Any, coordinator_client: Any) -> None:
        response = coordinator_client.post(reverse("referrals:create"), self._data(org))
        referral = Referral.objects.get(organization=org)
        assert response.status_code == 302
        assert response["Location"] == reverse("referrals:detail", args=[referral.public_id])
        page = coordinator_client.get(response["Location"])
        assert b"Vogel, Lena" in page.content
        assert b"Register the patient" in page.content

    def test_bad_input_is_shown_and_nothing_saved(self, org: Any, coordinator_client: Any) -> None:
        response = coordinator_client.post(
            reverse("referrals:create"), self._data(org, diagnosis_code="XYZ")
        )
        assert response.status_code == 400
        assert b"not an ICD-10-CM code" in response.content
        assert not Referral.objects.exists()

    def test_it_refuses_a_birth_date_in_the_future(self, org: Any) -> None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        with pytest.raises(ValidationError, match="Date of birth cannot be in the future"):
            rf.make_referral(org, patient_date_of_birth=tomorrow)
        assert not Referral.objects.exists()

    def test_the_form_shows_every_problem_at_once(self, org: Any, coordinator_client: Any) -> None:
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        response = coordinator_client.post(
            reverse("referrals:create"),
            self._data(
                org,
                patient_date_of_birth=tomorrow,
                received_on=tomorrow,
                diagnosis_code="XYZ",
                requested_drug="",
            ),
        )
        assert response.status_code == 400
        for message in (
            b"Date of birth cannot be in the future",
            b"received date cannot be in the future",
            b"not an ICD-10-CM code",
            b"Name the drug",
        ):
            assert message in response.content
        assert not Referral.objects.exists()

    def test_it_is_404_for_another_organizations_referral(
        self, other_org: Any, coordinator_client: Any
    ) -> None:
        foreign = rf.make_referral(other_org)
        for name in ("referrals:detail", "referrals:edit"):
            assert (
                coordinator_client.get(reverse(name, args=[foreign.public_id])).status_code == 404
            )
        url = reverse("referrals:transition", args=[foreign.public_id])
        assert (
            coordinator_client.post(url, {"to_state": "declined", "reason": "x"}).status_code == 404
        )
        foreign.refresh_from_db()
        assert foreign.state == "received"

    @pytest.mark.parametrize("role", ["nurse", "pharmacist", "biller", "auditor", "provider"])
    def test_only_access_roles_log_referrals(self, org: Any, role: str) -> None:
        client = f.login(f.make_user(org, role))
        assert client.get(reverse("referrals:create")).status_code == 403
        assert client.get(reverse("referrals:list")).status_code == 200

    def test_the_list_shows_open_referrals_by_default(
        self, org: Any, coordinator_client: Any
    ) -> None:
        rf.make_referral(org, patient_last_name="Open")
        closed = rf.make_referral(org, patient_last_name="Closed")
        from chairside.access.referrals import services

        services.referral_transition(referral=closed, user=None, to_state="declined", reason="x")
        page = coordinator_client.get(reverse("referrals:list"))
        assert b"Open, Ada" in page.content
        assert b"Closed, Ada" not in page.content
        assert (
            b"Closed, Ada"
            in coordinator_client.get(reverse("referrals:list"), {"state": "all"}).content
        )
