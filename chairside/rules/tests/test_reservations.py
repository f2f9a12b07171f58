"""The reservation window and the never-over-reserve rule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.inventory.reservations import available_vials, reservation_problem, window_days

FRIDAY = dt.date(2026, 12, 4)


class TestWindowDays:
    def test_it_spans_the_weekend_to_reach_three_business_days(self) -> None:
        days = window_days(FRIDAY, 3)
        assert days[0] == FRIDAY and days[-1] == dt.date(2026, 12, 8)
        assert sum(1 for d in days if d.weekday() < 5) == 3

    def test_a_window_of_zero_days_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            window_days(FRIDAY, 0)


class TestReservable:
    def test_it_refuses_more_than_the_free_vials(self) -> None:
        assert reservation_problem(10, 8, 3) == "only 2 of 10 vials are free (8 already reserved)"
        assert reservation_problem(10, 8, 2) == ""

    @given(st.integers(0, 50), st.integers(0, 50), st.integers(1, 50))
    def test_what_is_allowed_never_exceeds_the_shelf(
        self, on_hand: int, reserved: int, wanted: int
    ) -> None:
        if not reservation_problem(on_hand, reserved, wanted):
            assert reserved + wanted <= on_hand
        assert 0 <= available_vials(on_hand, reserved) <= on_hand
