"""The FHIR code tables cover every state Chairside has, and CTCAE grades map to severity."""

from __future__ import annotations

import pytest

from chairside.rules.access import referral_states
from chairside.rules.interop import fhir_codes
from chairside.rules.scheduling import appointment_states


class TestStatusTables:
    def test_it_maps_every_referral_state(self) -> None:
        assert set(fhir_codes.REFERRAL_STATUS) == set(referral_states.REFERRAL.states)

    def test_it_maps_every_appointment_state(self) -> None:
        assert set(fhir_codes.APPOINTMENT_STATUS) == set(appointment_states.APPOINTMENT.states)

    def test_open_referrals_are_active_requests_and_closed_ones_are_not(self) -> None:
        for state in referral_states.OPEN_STATES:
            assert fhir_codes.REFERRAL_STATUS[state] == "active"
        for state in (referral_states.DECLINED, referral_states.DISCONTINUED):
            assert fhir_codes.REFERRAL_STATUS[state] == "revoked"


class TestSeverity:
    @pytest.mark.parametrize(
        ("grade", "severity"),
        [(1, "mild"), (2, "moderate"), (3, "severe"), (4, "severe"), (5, "severe")],
    )
    def test_it_maps_ctcae_grades(self, grade: int, severity: str) -> None:
        assert fhir_codes.ae_severity(grade) == severity

    @pytest.mark.parametrize("grade", [0, 6])
    def test_it_refuses_a_grade_ctcae_does_not_have(self, grade: int) -> None:
        with pytest.raises(ValueError, match="1 to 5"):
            fhir_codes.ae_severity(grade)
