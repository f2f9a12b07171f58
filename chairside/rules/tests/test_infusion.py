from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.clinical.infusion import (
    Opened,
    allocate_given,
    beyond_use,
    check_beyond_use,
    check_running,
    final_concentration,
    observation_until,
    running_minutes,
    running_spans,
    stops_infusion,
    volume_delivered_ml,
    volume_problem,
    waste_portions,
)

TZ = ZoneInfo("America/New_York")


def at(hhmm: str) -> dt.datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime(2026, 12, 8, h, m, tzinfo=TZ)


class TestPreparation:
    def test_it_computes_the_final_concentration(self):
        assert final_concentration(Decimal(350), Decimal(250)) == Decimal("1.400")
        assert final_concentration(Decimal(300), Decimal(100)) == Decimal("3.000")

    def test_it_refuses_a_zero_volume(self):
        with pytest.raises(ValueError, match="final volume"):
            final_concentration(Decimal(300), Decimal(0))

    def test_immediate_use_must_start_within_four_hours(self):
        assert beyond_use(at("09:10"), "immediate_use") == at("13:10")

    def test_a_stricter_label_wins(self):
        assert beyond_use(at("09:00"), "category1_room", Decimal(8)) == at("17:00")
        assert beyond_use(at("09:00"), "immediate_use", Decimal(8)) == at("13:00")

    def test_it_refuses_a_beyond_use_time_past_the_limit_or_before_preparation(self):
        with pytest.raises(ValueError, match="at most 13:00"):
            check_beyond_use(at("09:00"), at("14:00"), "immediate_use", None)
        with pytest.raises(ValueError, match="after the preparation"):
            check_beyond_use(at("09:00"), at("08:00"), "immediate_use", None)
        check_beyond_use(at("09:00"), at("12:00"), "immediate_use", None)

    def test_it_refuses_naive_times(self):
        with pytest.raises(ValueError, match="time zone"):
            beyond_use(dt.datetime(2026, 12, 8, 9), "immediate_use")  # noqa: DTZ001


class TestRunning:
    def test_it_refuses_a_stop_before_the_start(self):
        with pytest.raises(ValueError, match="not after the start"):
            check_running(at("10:00"), at("09:30"), [])

    def test_it_subtracts_interruptions(self):
        pauses = [(at("09:40"), at("09:55"))]
        assert running_spans(at("09:00"), at("11:15"), pauses) == [
            (at("09:00"), at("09:40")),
            (at("09:55"), at("11:15")),
        ]
        assert running_minutes(at("09:00"), at("11:15"), pauses) == 120

    def test_it_refuses_interruptions_that_do_not_fit(self):
        with pytest.raises(ValueError, match="outside"):
            check_running(at("09:00"), at("10:00"), [(at("10:30"), at("10:40"))])
        with pytest.raises(ValueError, match="overlaps"):
            check_running(
                at("09:00"), at("11:00"), [(at("09:10"), at("09:30")), (at("09:20"), at("09:40"))]
            )
        with pytest.raises(ValueError, match="ended"):
            check_running(at("09:00"), at("11:00"), [(at("09:10"), None)])

    def test_observation_follows_the_stop(self):
        assert observation_until(at("11:00"), 60) == at("12:00")


class TestReactions:
    def test_grade_three_and_above_stop_the_infusion(self):
        assert [stops_infusion(g) for g in range(1, 6)] == [False, False, True, True, True]

    def test_it_refuses_a_grade_outside_ctcae(self):
        with pytest.raises(ValueError):
            stops_infusion(6)


class TestWaste:
    def test_the_discarded_part_falls_on_the_last_vials(self):
        opened = [Opened("lot-a", Decimal(100), 2), Opened("lot-b", Decimal(100), 2)]
        assert allocate_given(opened, Decimal(350)) == [
            ("lot-a", Decimal(200), Decimal(0)),
            ("lot-b", Decimal(150), Decimal(50)),
        ]

    def test_it_refuses_more_given_than_opened(self):
        with pytest.raises(ValueError, match="more than the 100 mg opened"):
            allocate_given([Opened("a", Decimal(100), 1)], Decimal(120))

    def test_waste_is_recorded_vial_by_vial(self):
        assert waste_portions(Decimal(250), Decimal(100)) == [
            Decimal(100),
            Decimal(100),
            Decimal(50),
        ]
        assert waste_portions(Decimal(0), Decimal(100)) == []

    @given(
        st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=4),
        st.integers(min_value=0, max_value=100),
    )
    def test_given_and_discarded_add_up_to_what_was_opened(self, vials, percent):
        opened = [Opened(str(i), Decimal(100), n) for i, n in enumerate(vials)]
        total = Decimal(100 * sum(vials))
        given_mg = total * percent / 100
        rows = allocate_given(opened, given_mg)
        assert sum(g for _, g, _ in rows) == given_mg
        assert sum(g + w for _, g, w in rows) == total


class TestVolumePlausibility:
    """The issue's example: 260 mL in 93 minutes at 30-60 mL/h cannot have run."""

    def test_the_rates_give_the_volume_over_the_running_time(self) -> None:
        start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
        stop = start + dt.timedelta(minutes=93)
        spans = running_spans(start, stop, [])
        rates = [(start, Decimal(30)), (start + dt.timedelta(minutes=30), Decimal(60))]
        # 30 mL/h for 30 min + 60 mL/h for 63 min = 15 + 63
        assert volume_delivered_ml(spans, rates) == Decimal("78.0")

    def test_a_pause_delivers_nothing(self) -> None:
        start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
        pause = (start + dt.timedelta(minutes=30), start + dt.timedelta(minutes=60))
        spans = running_spans(start, start + dt.timedelta(minutes=120), [pause])
        assert volume_delivered_ml(spans, [(start, Decimal(100))]) == Decimal("150.0")

    def test_260_ml_is_flagged_and_a_near_value_is_not(self) -> None:
        problem = volume_problem(Decimal(260), Decimal(78), 93)
        assert problem is not None and "about 78 mL" in problem
        assert volume_problem(Decimal(95), Decimal(78), 93) is None  # a line flush
        assert volume_problem(Decimal(250), Decimal(250), 150) is None

    def test_no_rate_recorded_means_nothing_to_compare(self) -> None:
        start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
        assert volume_delivered_ml([(start, start + dt.timedelta(hours=1))], []) is None


class TestReactionResponse:
    """CTCAE v5 "Infusion related reaction"; RITUXAN §2.1 half-rate restart."""

    def test_grade_two_interrupts_and_three_stops(self) -> None:
        from chairside.rules.clinical.infusion import interrupts_infusion, stops_infusion

        assert [interrupts_infusion(g) for g in range(1, 6)] == [False, True, False, False, False]
        assert [stops_infusion(g) for g in range(1, 6)] == [False, False, True, True, True]

    def test_the_restart_rate_is_half_the_previous(self) -> None:
        from chairside.rules.clinical.infusion import restart_rate

        assert restart_rate(Decimal(250)) == Decimal("125.0")
        assert restart_rate(Decimal(75)) == Decimal("37.5")
        assert restart_rate(None) is None
