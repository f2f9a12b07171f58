"""Assistance programs: who may use which, and caps (sources in rules.assistance)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chairside.rules.access.assistance import program_pays, remaining_balance


class TestRemainingBalance:
    def test_it_subtracts_what_was_used_and_stops_at_zero(self) -> None:
        assert remaining_balance(Decimal(15000), Decimal("14250.50")) == Decimal("749.50")
        assert remaining_balance(Decimal(100), Decimal(150)) == Decimal("0.00")

    def test_no_cap_means_no_limit(self) -> None:
        assert remaining_balance(None, Decimal(5000)) is None


class TestProgramPays:
    def test_a_copay_program_pays_a_commercial_patients_share_up_to_the_balance(self) -> None:
        share = program_pays(
            "copay", payer_kind="commercial", patient_owes=Decimal(1200), remaining=Decimal(800)
        )
        assert (share.pays, share.patient_still_owes) == (Decimal(800), Decimal(400))

    @pytest.mark.parametrize("payer", ["medicare_b", "medicare_advantage", "medicaid", "tricare"])
    def test_a_copay_program_never_pays_for_a_federal_program_patient(self, payer: str) -> None:
        share = program_pays(
            "copay", payer_kind=payer, patient_owes=Decimal(500), remaining=Decimal(10000)
        )
        assert share.pays == 0 and share.patient_still_owes == Decimal(500)
        assert "anti-kickback" in share.note

    def test_a_foundation_grant_may_help_a_medicare_patient(self) -> None:
        share = program_pays(
            "foundation", payer_kind="medicare_b", patient_owes=Decimal(500), remaining=None
        )
        assert share.pays == Decimal(500) and share.patient_still_owes == 0

    def test_free_drug_pays_nothing_in_money(self) -> None:
        share = program_pays(
            "free_drug", payer_kind=None, patient_owes=Decimal(300), remaining=None
        )
        assert share.pays == 0 and "not billed" in share.note
