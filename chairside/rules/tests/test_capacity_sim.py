from __future__ import annotations

from dataclasses import replace

import pytest

from chairside.rules.planning.capacity_sim import (
    DayConfig,
    Shift,
    VisitType,
    check_config,
    simulate,
)

BASE = DayConfig(
    chairs=8,
    shifts=(Shift(7 * 60, 18 * 60, 2),),
    opens=7 * 60,
    closes=17 * 60,
    visit_types=(VisitType("short", 1.0, 45), VisitType("long", 1.0, 180)),
    patients_per_day=24,
    pharmacy_minutes=15,
    pharmacists=1,
    nurse_ratio=4,
)


class TestSimulate:
    def test_it_is_reproducible_with_a_seed(self):
        assert simulate(BASE, 20, seed=3) == simulate(BASE, 20, seed=3)

    def test_it_gives_the_same_answer_in_parallel(self):
        assert simulate(BASE, 60, seed=5, workers=2) == simulate(BASE, 60, seed=5, workers=1)

    def test_it_orders_the_percentiles(self):
        result = simulate(BASE, 40)
        for spread in (result.wait_minutes, result.chair_utilization, result.overtime_minutes):
            assert spread.p10 <= spread.p50 <= spread.p90
        assert 0 < result.chair_utilization.p50 <= 1

    def test_it_treats_everyone_who_comes(self):
        result = simulate(replace(BASE, no_show_rate=0.0), 10)
        assert result.treated.p10 == result.treated.p90 == 24
        assert sum(result.wait_histogram) == 240

    def test_no_shows_reduce_the_patients_treated(self):
        result = simulate(replace(BASE, no_show_rate=0.5), 40)
        assert result.treated.mean < 18

    def test_more_chairs_shorten_the_wait_when_chairs_are_the_bottleneck(self):
        busy = replace(BASE, chairs=4, shifts=(Shift(420, 1080, 4),), patients_per_day=30)
        tight = simulate(busy, 40, seed=11)
        roomy = simulate(replace(busy, chairs=8), 40, seed=11)
        assert roomy.wait_minutes.mean < tight.wait_minutes.mean
        assert roomy.overtime_minutes.mean <= tight.overtime_minutes.mean

    def test_a_slow_pharmacy_makes_patients_wait(self):
        slow = simulate(replace(BASE, pharmacy_minutes=45), 30, seed=2)
        fast = simulate(replace(BASE, pharmacy_minutes=5), 30, seed=2)
        assert slow.wait_minutes.mean > fast.wait_minutes.mean

    def test_an_evening_shift_covers_a_day_shift_that_ends_early(self):
        split = replace(BASE, shifts=(Shift(420, 900, 2), Shift(780, 1080, 1)))
        result = simulate(split, 20)
        assert result.treated.mean > 0


class TestCheckConfig:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"chairs": 0}, "chairs"),
            ({"closes": 400}, "open before it closes"),
            ({"shifts": (Shift(600, 1080, 2),)}, "no nurse is on duty at 07:00"),
            ({"shifts": (Shift(420, 900, 2),)}, "no nurse is on duty at 15:00"),
            ({"no_show_rate": 1.0}, "no-show rate"),
            ({"arrival_pattern": "random"}, "arrival pattern"),
            ({"visit_types": ()}, "visit type"),
        ],
    )
    def test_it_rejects_a_day_that_cannot_run(self, change, message):
        with pytest.raises(ValueError, match=message):
            check_config(replace(BASE, **change))
