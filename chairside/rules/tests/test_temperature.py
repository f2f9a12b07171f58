"""Storage temperature rules: USP <659> ranges, the CRT allowed excursion and the MKT."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.common.compliance import Due, due_status, next_checkoff
from chairside.rules.inventory.temperature import (
    Status,
    device_range,
    excursion_text,
    joins_open_excursion,
    mean_kinetic_temperature,
    reading_status,
)

FRIDGE = device_range("refrigerator")
FREEZER = device_range("freezer")
ROOM = device_range("room")


class TestRanges:
    def test_it_holds_each_kind_to_its_usp_range(self):
        assert (FRIDGE.low, FRIDGE.high) == (Decimal("2"), Decimal("8"))
        assert (FREEZER.low, FREEZER.high) == (Decimal("-25"), Decimal("-10"))
        assert (ROOM.low, ROOM.high) == (Decimal("20"), Decimal("25"))
        assert (ROOM.allowed_low, ROOM.allowed_high, ROOM.mkt_max) == (
            Decimal("15"),
            Decimal("30"),
            Decimal("25"),
        )

    def test_it_takes_a_narrower_range_from_the_label(self):
        assert device_range("refrigerator", Decimal("3"), Decimal("7")).high == Decimal("7")

    def test_it_refuses_an_empty_range_and_an_unknown_kind(self):
        with pytest.raises(ValueError, match="must be below"):
            device_range("refrigerator", Decimal("8"), Decimal("2"))
        with pytest.raises(ValueError, match="not refrigerator"):
            device_range("cooler")


class TestReadingStatus:
    @pytest.mark.parametrize("c", ["2", "5.5", "8"])
    def test_it_accepts_a_refrigerator_reading_within_2_to_8_inclusive(self, c):
        assert reading_status(Decimal(c), FRIDGE) == Status.IN_RANGE

    @pytest.mark.parametrize("c", ["1.9", "8.1", "-1", "12"])
    def test_it_flags_any_refrigerator_reading_outside_2_to_8(self, c):
        assert reading_status(Decimal(c), FRIDGE) == Status.EXCURSION

    def test_it_flags_a_freezer_that_warmed_above_minus_10(self):
        assert reading_status(Decimal("-9.5"), FREEZER) == Status.EXCURSION
        assert reading_status(Decimal("-18"), FREEZER) == Status.IN_RANGE

    def test_it_allows_a_room_between_15_and_30_while_the_mkt_is_at_most_25(self):
        assert reading_status(Decimal("27"), ROOM, mkt=Decimal("23.4")) == Status.ALLOWED
        assert reading_status(Decimal("16"), ROOM, mkt=Decimal("21")) == Status.ALLOWED

    def test_it_flags_a_room_when_the_mkt_is_above_25_or_unknown(self):
        assert reading_status(Decimal("27"), ROOM, mkt=Decimal("25.1")) == Status.EXCURSION
        assert reading_status(Decimal("27"), ROOM) == Status.EXCURSION

    def test_it_flags_a_room_outside_15_to_30_whatever_the_mkt(self):
        assert reading_status(Decimal("31"), ROOM, mkt=Decimal("22")) == Status.EXCURSION
        assert reading_status(Decimal("14.9"), ROOM, mkt=Decimal("22")) == Status.EXCURSION

    def test_it_says_which_side_of_the_range_a_reading_fell(self):
        assert excursion_text(Decimal("9.4"), FRIDGE) == (
            "9.4 °C is above the 2 to 8 °C range (above 8)."
        )
        assert "below" in excursion_text(Decimal("0.5"), FRIDGE)


class TestMeanKineticTemperature:
    def test_it_is_the_temperature_itself_when_constant(self):
        assert mean_kinetic_temperature([Decimal("22")] * 10) == Decimal("22.0")

    def test_it_weighs_warm_readings_more_than_the_arithmetic_mean(self):
        # USP <1160>'s point: a hot spell counts for more than a cold one.
        readings = [Decimal("20")] * 9 + [Decimal("35")]
        assert mean_kinetic_temperature(readings) > Decimal("21.5")  # the mean

    def test_it_needs_a_reading(self):
        with pytest.raises(ValueError, match="at least one"):
            mean_kinetic_temperature([])

    @given(st.lists(st.floats(min_value=-30, max_value=45), min_size=1, max_size=50))
    def test_it_lies_between_the_lowest_and_highest_reading(self, readings):
        mkt = mean_kinetic_temperature(readings)
        assert Decimal(str(min(readings))) - Decimal("0.1") <= mkt
        assert mkt <= Decimal(str(max(readings))) + Decimal("0.1")


class TestExcursionEpisodes:
    def test_a_reading_out_of_range_continues_an_open_excursion(self):
        assert joins_open_excursion(Status.EXCURSION, open_without_follow_up=True)

    def test_it_opens_a_new_one_after_a_reading_in_range_or_a_follow_up(self):
        assert not joins_open_excursion(Status.IN_RANGE, open_without_follow_up=False)
        assert not joins_open_excursion(Status.EXCURSION, open_without_follow_up=False)
        assert not joins_open_excursion(None, open_without_follow_up=False)


class TestDue:
    TODAY = dt.date(2026, 12, 7)

    def test_it_flags_expired_and_missing_dates_as_overdue(self):
        assert due_status(dt.date(2026, 12, 6), self.TODAY) == Due.OVERDUE
        assert due_status(None, self.TODAY) == Due.OVERDUE

    def test_it_warns_60_days_ahead(self):
        assert due_status(self.TODAY, self.TODAY) == Due.DUE_SOON
        assert due_status(dt.date(2027, 2, 5), self.TODAY) == Due.DUE_SOON
        assert due_status(dt.date(2027, 2, 6), self.TODAY) == Due.CURRENT

    def test_the_next_checkoff_is_a_year_later(self):
        assert next_checkoff(dt.date(2026, 3, 1)) == dt.date(2027, 3, 1)
        with pytest.raises(ValueError):
            next_checkoff(self.TODAY, 0)
