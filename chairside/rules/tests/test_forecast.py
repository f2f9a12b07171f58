from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.inventory.forecast import (
    BookedDose,
    arrival_date,
    average_daily_use,
    days_on_hand,
    last_order_day,
    spare_vials,
    stockout_date,
    suggest_order,
    vials_for_doses,
    window_total,
)

D = Decimal
MON = date(2026, 3, 9)  # a Monday


def day(n: int) -> date:
    return MON + timedelta(days=n)


class TestVialsForDoses:
    def test_it_counts_the_vials_each_dose_opens_per_strength_and_day(self):
        doses = [
            BookedDose(day(0), "infliximab", D("350")),  # 4 x 100 mg
            BookedDose(day(0), "infliximab", D("500")),  # 5 x 100 mg
            BookedDose(day(1), "tocilizumab", D("560")),  # 400 + 2 x 80
        ]
        sizes = {"infliximab": [D(100)], "tocilizumab": [D(80), D(200), D(400)]}
        assert vials_for_doses(doses, sizes) == {
            ("infliximab", D(100)): {day(0): 9},
            ("tocilizumab", D(400)): {day(1): 1},
            ("tocilizumab", D(80)): {day(1): 2},
        }

    def test_it_refuses_a_drug_with_no_stocked_vial(self):
        with pytest.raises(ValueError, match="no vial sizes are known for rituximab"):
            vials_for_doses([BookedDose(day(0), "rituximab", D(1000))], {})


class TestDaysOnHand:
    def test_it_divides_on_hand_by_average_daily_use(self):
        demand = {day(0): 4, day(3): 10}
        use = average_daily_use(demand, day(0), 7)
        assert use == D(2)
        assert days_on_hand(9, use) == D("4.5")

    def test_it_has_no_days_on_hand_when_nothing_is_used(self):
        assert days_on_hand(5, D(0)) is None

    def test_it_rejects_a_period_of_no_days(self):
        with pytest.raises(ValueError):
            average_daily_use({}, day(0), 0)


class TestStockoutDate:
    def test_it_finds_the_first_day_demand_exceeds_stock_and_counts_arrivals(self):
        demand = {day(0): 3, day(1): 3, day(2): 3}
        assert stockout_date(5, demand, day(0), day(7)) == day(1)
        assert stockout_date(5, demand, day(0), day(7), incoming={day(1): 1}) == day(2)
        assert stockout_date(9, demand, day(0), day(7)) is None


class TestArrivalDate:
    def test_it_moves_a_weekend_arrival_to_monday(self):
        friday = day(4)
        weekdays = frozenset(range(5))
        assert arrival_date(friday, 1, weekdays) == day(7)
        assert arrival_date(day(1), 1, weekdays) == day(2)
        assert arrival_date(friday, 1) == day(5)

    def test_it_rejects_a_negative_lead_time(self):
        with pytest.raises(ValueError):
            arrival_date(MON, -1)


class TestLastOrderDay:
    def test_it_counts_back_the_lead_time_over_the_weekend(self):
        weekdays = frozenset(range(5))
        # Needed Monday: a 1-day order must go out on Friday (Saturday delivers nothing).
        assert last_order_day(day(7), 1, weekdays, weekdays) == day(4)
        assert last_order_day(day(2), 1, weekdays, weekdays) == day(1)
        assert last_order_day(day(9), 2, weekdays, weekdays) == day(7)

    @given(need=st.integers(0, 60), lead=st.integers(0, 5))
    def test_an_order_on_that_day_always_arrives_in_time(self, need, lead):
        weekdays = frozenset(range(5))
        last = last_order_day(day(need), lead, weekdays, weekdays)
        assert arrival_date(last, lead, weekdays) <= day(need)
        assert last.weekday() in weekdays


class TestSuggestOrder:
    def test_it_orders_every_vial_booked_before_the_next_order_can_arrive(self):
        # Friday: this order arrives Monday, the next one (ordered Monday) on Tuesday.
        demand = {day(5): 4, day(7): 6, day(8): 9}
        s = suggest_order(
            on_hand=3,
            demand=demand,
            start=day(5),
            arrives_on=day(7),
            next_arrival=day(8),
            target_days=7,
            daily_use=D(0),
        )
        assert s.must_cover == 10
        assert s.vials == 7
        assert s.short_before_arrival == day(5)  # Saturday needs 4, the shelf has 3

    def test_it_orders_up_to_the_target_days_of_average_use(self):
        s = suggest_order(
            on_hand=10,
            demand={day(1): 5},
            start=day(1),
            arrives_on=day(1),
            next_arrival=day(2),
            target_days=7,
            daily_use=D("6.5"),
            on_order={day(1): 4},
        )
        assert s.target_level == 45  # 7 x 6.5 = 45.5, whole vials only
        assert s.vials == 45 - 10 - 4
        assert s.short_before_arrival is None

    def test_it_never_orders_a_negative_quantity(self):
        s = suggest_order(
            on_hand=99,
            demand={day(1): 5},
            start=day(1),
            arrives_on=day(1),
            next_arrival=day(2),
            target_days=7,
            daily_use=D(1),
        )
        assert s.vials == 0

    def test_it_rejects_arrivals_out_of_order(self):
        with pytest.raises(ValueError, match="arrivals"):
            suggest_order(
                on_hand=0,
                demand={},
                start=day(2),
                arrives_on=day(1),
                next_arrival=day(3),
                target_days=7,
                daily_use=D(0),
            )

    @given(
        case=st.fixed_dictionaries(
            {
                "demand": st.dictionaries(st.integers(0, 20), st.integers(0, 30), max_size=12),
                "on_hand": st.integers(0, 60),
                "lead": st.integers(0, 3),
                "gap": st.integers(0, 4),
                "target": st.integers(0, 14),
                "use": st.decimals(0, 20, places=2),
                "incoming": st.integers(0, 20),
            }
        )
    )
    def test_it_never_leaves_a_stockout_it_could_prevent(self, case):
        demand, on_hand, lead, gap = case["demand"], case["on_hand"], case["lead"], case["gap"]
        target, use, incoming = case["target"], case["use"], case["incoming"]
        booked = {day(n): v for n, v in demand.items()}
        start, arrives = day(0), day(lead)
        s = suggest_order(
            on_hand=on_hand,
            demand=booked,
            start=start,
            arrives_on=arrives,
            next_arrival=day(lead + gap),
            target_days=target,
            daily_use=use,
            on_order={start: incoming},
        )
        assert s.vials >= 0
        arrivals = {start: incoming}
        arrivals[arrives] = arrivals.get(arrives, 0) + s.vials
        # If there is no stock-out before this order arrives, there is none until the next.
        if s.short_before_arrival is None:
            assert stockout_date(on_hand, booked, start, day(lead + gap), arrivals) is None
        assert on_hand + incoming + s.vials >= window_total(booked, start, day(lead + gap))


class TestSpareVials:
    def test_it_keeps_one_spare_per_weight_based_dose_the_slack_cannot_cover(self):
        sizes = [D(80), D(200), D(400)]
        assert spare_vials(D(80), sizes, weight_based_soon=2, booked_soon=3, working_stock=2) == 2
        assert spare_vials(D(80), sizes, weight_based_soon=2, booked_soon=3, working_stock=4) == 1
        assert spare_vials(D(80), sizes, weight_based_soon=2, booked_soon=3, working_stock=9) == 0

    def test_it_keeps_no_spare_of_other_sizes_or_for_flat_doses(self):
        sizes = [D(80), D(200)]
        assert spare_vials(D(200), sizes, weight_based_soon=2, booked_soon=0, working_stock=0) == 0
        assert spare_vials(D(80), sizes, weight_based_soon=0, booked_soon=5, working_stock=0) == 0
