from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.billing.payment import PartBPayment, medicare_part_b

D = Decimal
CENT = D("0.01")

limits = st.decimals(min_value=D("0"), max_value=D("20000"), places=3)
unit_counts = st.integers(min_value=0, max_value=2000)


class TestMedicarePartB:
    def test_it_pays_the_worked_example(self):
        assert medicare_part_b(D("10.000"), 100) == PartBPayment(
            allowed=D("1000.00"), medicare_payment=D("784.00"), patient_coinsurance=D("200.00")
        )

    def test_it_pays_a_drug_line_with_fractions_of_a_cent(self):
        # e.g. a limit of 45.678 per 10 mg billing unit, 40 units (400 mg).
        payment = medicare_part_b(D("45.678"), 40)
        assert payment.allowed == D("1827.12")
        assert payment.medicare_payment == D("1432.46")  # 1827.12 x 0.784 = 1432.46208
        assert payment.patient_coinsurance == D("365.42")  # 1827.12 x 0.20 = 365.424

    def test_it_rounds_the_allowed_amount_half_up(self):
        assert medicare_part_b(D("0.125"), 1).allowed == D("0.13")
        assert medicare_part_b(D("0.0049"), 1).allowed == D("0.00")

    def test_it_rounds_medicares_share_once(self):
        # 0.07 x 0.784 = 0.05488 -> 0.05; rounding 80% first (0.056 -> 0.06) would give 0.06.
        assert medicare_part_b(D("0.07"), 1).medicare_payment == D("0.05")

    def test_it_leaves_the_sequestration_to_the_provider(self):
        payment = medicare_part_b(D("100"), 1)
        assert payment.allowed - payment.medicare_payment - payment.patient_coinsurance == D("1.60")

    def test_it_returns_cents_for_zero_units_or_a_zero_limit(self):
        zero = PartBPayment(D("0.00"), D("0.00"), D("0.00"))
        assert medicare_part_b(D("12.5"), 0) == zero
        assert medicare_part_b(D("0"), 10) == zero
        assert str(medicare_part_b(D("0"), 10).allowed) == "0.00"

    def test_it_accepts_an_integer_limit(self):
        assert medicare_part_b(10, 3).allowed == D("30.00")  # type: ignore[arg-type]

    def test_it_is_exact_for_large_amounts(self):
        payment = medicare_part_b(D("1234567890123456789012345.675"), 1)
        assert payment.allowed == D("1234567890123456789012345.68")

    @pytest.mark.parametrize("units", [-1, 1.5, D("2"), True, "3", None])
    def test_it_rejects_units_that_are_not_a_whole_number_at_least_0(self, units):
        with pytest.raises(ValueError, match="units"):
            medicare_part_b(D("10"), units)

    @pytest.mark.parametrize("limit", [D("-0.01"), D("NaN"), D("-Infinity"), 10.5, "10"])
    def test_it_rejects_a_negative_or_non_decimal_limit(self, limit):
        with pytest.raises(ValueError, match="payment limit"):
            medicare_part_b(limit, 1)

    def test_it_returns_a_frozen_result(self):
        with pytest.raises(dataclasses.FrozenInstanceError):
            medicare_part_b(D("1"), 1).allowed = D("2")  # type: ignore[misc]

    @given(limits, unit_counts)
    def test_it_splits_the_allowed_amount_by_the_statute(self, limit, units):
        payment = medicare_part_b(limit, units)
        assert payment.allowed == (limit * units).quantize(CENT, rounding=ROUND_HALF_UP)
        for amount in dataclasses.astuple(payment):
            assert amount == amount.quantize(CENT) and amount >= 0
        assert abs(payment.medicare_payment - payment.allowed * D("0.784")) <= D("0.005")
        assert abs(payment.patient_coinsurance - payment.allowed * D("0.2")) <= D("0.005")
        assert payment.medicare_payment + payment.patient_coinsurance <= payment.allowed

    @given(limits, unit_counts)
    def test_it_never_pays_less_for_more_units(self, limit, units):
        fewer, more = medicare_part_b(limit, units), medicare_part_b(limit, units + 1)
        pairs = zip(dataclasses.astuple(fewer), dataclasses.astuple(more), strict=True)
        assert all(a <= b for a, b in pairs)
