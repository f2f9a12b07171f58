"""Order-level schedules and doses against the FDA labels (the sections cited per test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from chairside.access.referrals.tests import factories as rf

MONDAY = dt.date(2026, 1, 12)


def weeks(*numbers: int) -> list[dt.date]:
    return [MONDAY + dt.timedelta(weeks=n) for n in numbers]


class TestOrderSchedules:
    def test_infliximab_follows_remicade_weeks_0_2_6_then_every_8(self, patient: Any) -> None:
        # REMICADE label 2.1: 5 mg/kg at 0, 2 and 6 weeks, then every 8 weeks.
        order = rf.make_order(patient, "infliximab", "Crohn", first_dose_on=MONDAY)
        assert order.planned_dates(6) == weeks(0, 2, 6, 14, 22, 30)
        assert order.dose_for_weight(Decimal("82.4")) == Decimal("412.0")

    def test_vedolizumab_follows_entyvio_weeks_0_2_6_then_every_8(self, patient: Any) -> None:
        # ENTYVIO label 2.2/2.3: 300 mg at 0, 2 and 6 weeks, then every 8 weeks.
        order = rf.make_order(patient, "vedolizumab", first_dose_on=MONDAY)
        assert order.planned_dates(5) == weeks(0, 2, 6, 14, 22)
        assert order.dose_for_weight(Decimal("55")) == Decimal("300")

    def test_ocrelizumab_gives_600_mg_from_day_182_counted_from_the_first_infusion(
        self, patient: Any
    ) -> None:
        # OCREVUS label 2.3: 300 mg day 1 and day 15, then 600 mg every 6 months from dose 1.
        order = rf.make_order(patient, "ocrelizumab", first_dose_on=MONDAY)
        assert order.planned_dates(4) == [
            MONDAY,
            MONDAY + dt.timedelta(days=14),
            MONDAY + dt.timedelta(days=182),
            # day 364 (01/11/2027) is after the order expires on 01/05/2027: a new order
        ]
        doses = [order.dose_for_weight(None, n) for n in (1, 2, 3, 4)]
        assert doses == [Decimal(300), Decimal(300), Decimal(600), Decimal(600)]

    def test_natalizumab_is_every_4_weeks(self, patient: Any) -> None:
        # TYSABRI label 2.2: 300 mg every four weeks.
        order = rf.make_order(patient, "natalizumab", first_dose_on=MONDAY)
        assert order.planned_dates(4) == weeks(0, 4, 8, 12)

    def test_tocilizumab_caps_the_weight_based_dose_at_800_mg(self, patient: Any) -> None:
        # ACTEMRA label 2.1: doses above 800 mg per infusion are not recommended.
        order = rf.make_order(patient, "tocilizumab-iv", "escalated", first_dose_on=MONDAY)
        assert order.dose_for_weight(Decimal("120")) == Decimal(800)

    def test_the_schedule_stops_at_the_order_expiry(self, patient: Any) -> None:
        order = rf.make_order(patient, "natalizumab", first_dose_on=MONDAY)
        dates = order.planned_dates()
        assert dates[-1] <= order.expires_on == dt.date(2027, 1, 5)
        assert len(dates) == 13  # every 4 weeks from 01/12/2026 to 12/28/2026

    def test_a_fixed_course_has_its_doses_only(self, patient: Any) -> None:
        # RITUXAN label 2.4 (RA): two 1000 mg infusions two weeks apart.
        order = rf.make_order(patient, "rituximab", first_dose_on=MONDAY)
        assert order.planned_dates() == weeks(0, 2)

    def test_a_weight_based_dose_needs_a_weight(self, org: Any) -> None:

        order = rf.make_order(rf.covered_patient(org), "infliximab", "Crohn")
        order.weight_kg_at_order = None
        with pytest.raises(ValueError, match="record the patient's weight"):
            order.dose_for_weight(None)


class TestOrderIsActiveOn:
    def test_it_is_active_from_signature_to_expiry(self, patient: Any) -> None:
        order = rf.make_order(patient)
        assert not order.is_active_on(dt.date(2026, 1, 4))
        assert order.is_active_on(dt.date(2026, 1, 5))
        assert order.is_active_on(dt.date(2027, 1, 5))
        assert not order.is_active_on(dt.date(2027, 1, 6))

    def test_a_held_order_is_not_active(self, patient: Any) -> None:
        order = rf.make_order(patient)
        order.status = "on_hold"
        assert not order.is_active_on(dt.date(2026, 3, 1))
