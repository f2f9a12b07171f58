from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bench.sim.inventory_sim import SimConfig, SimDrug, simulate
from bench.sim.treatment_replay import (
    SimAppointment,
    SimPatient,
    SimRegimen,
    generate_appointments,
)
from chairside.rules.clinical.regimens import DoseRule, Regimen

D = Decimal
MON = date(2026, 1, 5)
INFLIXIMAB = SimDrug("infliximab", {D(100): D(330)})  # demo cost per vial
TOCILIZUMAB = SimDrug("tocilizumab", {D(80): D(392), D(200): D(980), D(400): D(1960)})


def appt(n, day, booked, dose="350", drug="infliximab", **kw):
    return SimAppointment(n, f"p{n}", drug, D(dose), day, booked, **kw)


def patients(count=40):
    infliximab = SimRegimen("infliximab", Regimen((0, 14, 42), 56), DoseRule(mg_per_kg=D(5)))
    tocilizumab = SimRegimen(
        "tocilizumab", Regimen((0,), 28), DoseRule(mg_per_kg=D(8), max_mg=D(800))
    )
    return [
        SimPatient(
            f"p{n}",
            D(50 + n),
            infliximab if n % 3 else tocilizumab,
            MON + timedelta(days=(n * 17) % 500 - 300),
        )
        for n in range(count)
    ]


class TestSimulate:
    def test_it_serves_a_known_booking_from_an_order_placed_in_time(self):
        booked = [appt(1, MON + timedelta(days=9), MON - timedelta(days=20))]
        result = simulate(booked, [INFLIXIMAB], SimConfig(start=MON, days=14), "forecast")
        assert result.stockout_days == 0
        assert result.vials_dispensed == 4  # 350 mg opens four 100 mg vials

    def test_it_counts_a_dose_the_shelf_cannot_cover_as_a_stockout(self):
        # Booked the same morning: no policy can have it on the shelf.
        surprise = [appt(1, MON + timedelta(days=3), MON + timedelta(days=3))]
        result = simulate(surprise, [INFLIXIMAB], SimConfig(start=MON, days=14), "forecast")
        assert result.stockout_days == 1
        assert result.missed_doses == 1
        assert result.vials_dispensed == 4  # given when the emergency order arrived

    def test_it_counts_vials_that_expire_on_the_shelf(self):
        # The monthly policy buys a month of use; with 5 days of shelf life most expires.
        booked = [
            appt(n, MON + timedelta(days=n), MON - timedelta(days=30)) for n in range(0, 28, 7)
        ]
        config = SimConfig(start=MON, days=28, shelf_life_days=(5, 5))
        result = simulate(booked, [INFLIXIMAB], config, "monthly")
        assert result.vials_expired > 0

    def test_it_keeps_less_stock_and_no_stockouts_with_the_forecast_policy(self):
        end = MON + timedelta(days=240)
        booked = generate_appointments(patients(), MON, end, seed=3)
        config = SimConfig(start=MON, days=180)
        forecast = simulate(booked, [INFLIXIMAB, TOCILIZUMAB], config, "forecast")
        monthly = simulate(booked, [INFLIXIMAB, TOCILIZUMAB], config, "monthly")
        assert forecast.stockout_days == 0
        assert forecast.avg_days_on_hand <= 7
        assert forecast.avg_inventory_value < monthly.avg_inventory_value
        assert monthly.stockout_days > 0

    def test_it_gives_the_same_figures_for_the_same_inputs(self):
        booked = generate_appointments(patients(12), MON, MON + timedelta(days=90), seed=5)
        config = SimConfig(start=MON, days=60, seed=9)
        assert simulate(booked, [INFLIXIMAB, TOCILIZUMAB], config, "forecast") == simulate(
            booked, [INFLIXIMAB, TOCILIZUMAB], config, "forecast"
        )

    def test_it_rejects_an_unknown_policy_and_unstocked_drugs(self):
        with pytest.raises(ValueError, match="policy"):
            simulate([], [INFLIXIMAB], SimConfig(start=MON, days=1), "just-in-case")
        with pytest.raises(ValueError, match="no vials: rituximab"):
            simulate(
                [appt(1, MON, MON, drug="rituximab")],
                [INFLIXIMAB],
                SimConfig(start=MON, days=1),
                "forecast",
            )
