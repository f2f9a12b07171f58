from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.clinical.regimens import Regimen
from chairside.rules.planning.demand import (
    PUBLISHED_PREVALENCE,
    DemandLine,
    annual_doses,
    capacity_needed,
    project_demand,
)

D = Decimal


def line(**kw):
    values: dict[str, Any] = {
        "label": "RA on infliximab",
        "prevalence": D("0.0054"),
        "infused_share": D("0.10"),
        "capture_share": D("0.25"),
        "doses_per_year": D("6.5"),
        "chair_minutes": 150,
    }
    values.update(kw)
    return DemandLine(**values)


class TestPublishedPrevalence:
    def test_it_cites_a_source_for_every_default(self):
        for condition in PUBLISHED_PREVALENCE.values():
            assert "20" in condition.source  # a year of publication
            assert 0 < condition.prevalence < D("0.05")

    def test_it_uses_the_published_figures(self):
        assert PUBLISHED_PREVALENCE["ms"].prevalence == D("0.003092")  # Wallin 2019
        assert PUBLISHED_PREVALENCE["crohns"].prevalence == D("0.00241")  # Kappelman 2013


class TestProjectDemand:
    def test_it_multiplies_population_prevalence_and_shares(self):
        # 500,000 adults x 0.54% x 10% infused x 25% captured = 67.5 patients;
        # x 6.5 doses = 438.75 a year = 8.4 a week; x 2.5 h = 21.0 chair-hours a week.
        demand = project_demand(500_000, [line()])
        assert demand.patients == D("67.5")
        assert demand.lines[0].treatments_per_year == D("438.8")
        assert demand.treatments_per_week == D("8.4")
        assert demand.chair_hours_per_week == D("21.0")

    def test_it_adds_lines_together(self):
        demand = project_demand(100_000, [line(), line(label="MS", prevalence=D("0.003092"))])
        assert demand.patients == sum(r.patients for r in demand.lines)

    def test_it_rejects_a_share_above_100_percent(self):
        with pytest.raises(ValueError, match="capture share .* at most 1"):
            project_demand(1000, [line(capture_share=D("1.5"))])

    def test_it_rejects_a_negative_population(self):
        with pytest.raises(ValueError, match="adult population"):
            project_demand(-1, [line()])

    @given(st.integers(0, 5_000_000), st.decimals(D("0"), D("1"), places=3))
    def test_it_grows_with_population_and_capture(self, population, capture):
        low = project_demand(population, [line(capture_share=capture)])
        high = project_demand(population + 1000, [line(capture_share=capture)])
        assert high.patients >= low.patients


class TestCapacityNeeded:
    def test_it_rounds_chairs_and_nurses_up(self):
        # 300 chair-hours a week, 10 h x 5 days at 75%: 300 / 37.5 = 8 chairs; ratio 4 → 2
        # nurses on the floor for 50 h = 2.5 FTE.
        need = capacity_needed(
            D("300"),
            open_hours_per_day=D("10"),
            open_days_per_week=5,
            target_utilization=D("0.75"),
            nurse_ratio=4,
        )
        assert (need.chairs, need.nurses_on_floor, need.nurse_ftes) == (8, 2, D("2.5"))

    def test_it_needs_one_more_chair_for_a_minute_more(self):
        need = capacity_needed(
            D("300.01"),
            open_hours_per_day=D("10"),
            open_days_per_week=5,
            target_utilization=D("0.75"),
            nurse_ratio=4,
        )
        assert need.chairs == 9

    @pytest.mark.parametrize(
        ("kw", "message"),
        [
            ({"open_days_per_week": 8}, "between 1 and 7"),
            ({"target_utilization": D("0")}, "above 0%"),
            ({"nurse_ratio": 0}, "nurse ratio"),
            ({"open_hours_per_day": D("25")}, "cannot exceed 24"),
        ],
    )
    def test_it_rejects_impossible_assumptions(self, kw, message):
        args: dict[str, Any] = {
            "open_hours_per_day": D("10"),
            "open_days_per_week": 5,
            "target_utilization": D("0.75"),
            "nurse_ratio": 4,
        }
        args.update(kw)
        with pytest.raises(ValueError, match=message):
            capacity_needed(D("100"), **args)


class TestAnnualDoses:
    def test_it_counts_loading_doses_in_the_first_year(self):
        infliximab = Regimen((0, 14, 42), 56)  # Remicade label: 0, 2, 6 weeks then q8w
        assert annual_doses(infliximab, 1) == 8
        assert annual_doses(infliximab, 2) in (6, 7)

    def test_it_gives_a_fixed_course_in_year_one_only(self):
        rituximab = Regimen((0, 14), None)
        assert (annual_doses(rituximab, 1), annual_doses(rituximab, 2)) == (2, 0)

    def test_it_rejects_year_zero(self):
        with pytest.raises(ValueError, match="treatment year"):
            annual_doses(Regimen((0,), 28), 0)
