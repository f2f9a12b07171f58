from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.planning.planning import break_even_treatments_per_month, months_to_break_even

D = Decimal

money = st.decimals(min_value=D("0"), max_value=D("1000000"), places=2)
margins = st.decimals(min_value=D("0.01"), max_value=D("10000"), places=2)


class TestBreakEvenTreatmentsPerMonth:
    def test_it_rounds_up_to_a_whole_treatment(self):
        # 42,000 rent, staff and lease a month at 350 margin a treatment: exactly 120.
        assert break_even_treatments_per_month(D("42000"), D("350")) == 120
        assert break_even_treatments_per_month(D("42000.01"), D("350")) == 121
        assert break_even_treatments_per_month(D("100"), D("33.33")) == 4

    def test_it_needs_nothing_without_fixed_costs(self):
        assert break_even_treatments_per_month(D("0"), D("350")) == 0

    def test_it_is_exact_beyond_decimal_precision(self):
        # 10**30 + 1 over 10**30 is just above 1; 28-digit division would say exactly 1.
        fixed = D(10**30 + 1)
        assert break_even_treatments_per_month(fixed, D(10**30)) == 2

    def test_it_rejects_a_negative_fixed_cost(self):
        with pytest.raises(ValueError, match="must not be negative"):
            break_even_treatments_per_month(D("-1"), D("350"))

    @pytest.mark.parametrize("margin", [D("0"), D("-25")])
    def test_it_rejects_a_treatment_that_loses_money(self, margin):
        with pytest.raises(ValueError, match="a treatment that loses money never breaks even"):
            break_even_treatments_per_month(D("42000"), margin)

    @pytest.mark.parametrize("bad", [D("NaN"), D("Infinity"), 42000.0, "42000"])
    def test_it_rejects_values_that_are_not_finite_decimals(self, bad):
        with pytest.raises(ValueError, match="fixed monthly cost"):
            break_even_treatments_per_month(bad, D("350"))

    @given(money, margins)
    def test_it_is_the_least_count_that_covers_the_cost(self, fixed, margin):
        count = break_even_treatments_per_month(fixed, margin)
        assert count * margin >= fixed
        assert count == 0 or (count - 1) * margin < fixed


class TestMonthsToBreakEven:
    def test_it_finds_the_month_a_linear_ramp_reaches_break_even(self):
        # 100 a month needed; 40, 60, 80, 100: month 4.
        assert months_to_break_even(D("10000"), D("100"), 40, 20) == 4

    def test_it_gives_month_1_when_the_center_opens_at_break_even(self):
        assert months_to_break_even(D("10000"), D("100"), 100, 0) == 1
        assert months_to_break_even(D("0"), D("100"), 0, 0) == 1

    def test_it_gives_none_without_growth_below_break_even(self):
        assert months_to_break_even(D("10000"), D("100"), 99, 0) is None

    def test_it_gives_none_beyond_the_horizon(self):
        assert months_to_break_even(D("20000"), D("100"), 0, 1) is None  # month 201 > 120
        assert months_to_break_even(D("10000"), D("100"), 0, 1) == 101
        assert months_to_break_even(D("10000"), D("100"), 0, 1, max_months=101) == 101
        assert months_to_break_even(D("10000"), D("100"), 0, 1, max_months=100) is None

    @pytest.mark.parametrize(
        ("start", "growth", "horizon", "name"),
        [
            (-1, 5, 120, "starting"),
            (10, -5, 120, "growth"),
            (10, 5, 0, "max months"),
            (10.5, 5, 120, "starting"),
        ],
    )
    def test_it_rejects_negative_or_fractional_counts(self, start, growth, horizon, name):
        with pytest.raises(ValueError, match=name):
            months_to_break_even(D("10000"), D("100"), start, growth, horizon)

    def test_it_rejects_a_losing_margin(self):
        with pytest.raises(ValueError, match="never breaks even"):
            months_to_break_even(D("10000"), D("-1"), 40, 20)

    @given(money, margins, st.integers(0, 500), st.integers(0, 100), st.integers(1, 240))
    def test_it_is_the_first_month_at_break_even(self, fixed, margin, start, growth, horizon):
        needed = break_even_treatments_per_month(fixed, margin)
        month = months_to_break_even(fixed, margin, start, growth, horizon)
        volumes = [start + m * growth for m in range(horizon)]
        reached = [m + 1 for m, volume in enumerate(volumes) if volume >= needed]
        assert month == (reached[0] if reached else None)
