from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.billing.patient_ar import (
    OpenCharge,
    add_months,
    ageing_bucket,
    card_reference_problem,
    charge_ages_from,
    patient_ageing,
    plan_schedule,
    plan_status,
)

D = Decimal
TODAY = dt.date(2026, 12, 6)


class TestAgeing:
    @pytest.mark.parametrize(
        ("days", "bucket"),
        [
            (0, "0–30"),
            (30, "0–30"),
            (31, "31–60"),
            (60, "31–60"),
            (61, "61–90"),
            (90, "61–90"),
            (91, "91–120"),
            (120, "91–120"),
            (121, "over 120"),
            (400, "over 120"),
        ],
    )
    def test_it_puts_each_age_in_its_bucket(self, days: int, bucket: str) -> None:
        assert ageing_bucket(TODAY - dt.timedelta(days=days), TODAY) == bucket

    def test_it_applies_payments_to_the_oldest_charge_first(self) -> None:
        charges = [
            OpenCharge(TODAY - dt.timedelta(days=10), D("100.00")),
            OpenCharge(TODAY - dt.timedelta(days=100), D("80.00")),
        ]
        buckets = patient_ageing(charges, D("90.00"), TODAY)
        assert buckets == {
            "0–30": D("90.00"),
            "31–60": D(0),
            "61–90": D(0),
            "91–120": D(0),
            "over 120": D(0),
        }

    def test_it_treats_a_charge_reduced_below_zero_as_a_credit(self) -> None:
        charges = [
            OpenCharge(TODAY - dt.timedelta(days=40), D("-20.00")),
            OpenCharge(TODAY - dt.timedelta(days=70), D("50.00")),
        ]
        assert patient_ageing(charges, D(0), TODAY)["61–90"] == D("30.00")

    def test_it_refuses_negative_credits(self) -> None:
        with pytest.raises(ValueError, match="positive"):
            patient_ageing([], D("-1"), TODAY)

    @given(
        st.lists(st.tuples(st.integers(0, 400), st.integers(-5000, 50000)), min_size=0, max_size=8),
        st.integers(0, 100000),
    )
    def test_it_never_loses_or_makes_money(self, rows: list[tuple[int, int]], paid: int) -> None:
        charges = [OpenCharge(TODAY - dt.timedelta(days=d), D(c) / 100) for d, c in rows]
        buckets = patient_ageing(charges, D(paid) / 100, TODAY)
        balance = sum((c.amount for c in charges), D(0)) - D(paid) / 100
        assert sum(buckets.values(), D(0)) == max(D(0), balance)
        assert all(v >= 0 for v in buckets.values())

    def test_it_ages_a_stated_charge_from_its_first_statement(self) -> None:
        day = charge_ages_from(
            service_date=dt.date(2026, 9, 1),
            posted_on=dt.date(2026, 10, 5),
            statement_dates=[dt.date(2026, 10, 1), dt.date(2026, 11, 2), dt.date(2026, 10, 20)],
        )
        assert day == dt.date(2026, 10, 20)

    def test_it_ages_an_unstated_charge_from_its_date_of_service(self) -> None:
        day = charge_ages_from(
            service_date=dt.date(2026, 9, 1),
            posted_on=dt.date(2026, 10, 5),
            statement_dates=[dt.date(2026, 10, 1)],
        )
        assert day == dt.date(2026, 9, 1)


class TestCardReference:
    @pytest.mark.parametrize(
        "reference",
        ["4111111111111111", "4111 1111 1111 1111", "visa 4111-1111-1111-1111 ok", "3782822463100"],
    )
    def test_it_refuses_a_full_card_number(self, reference: str) -> None:
        assert "card number" in (card_reference_problem(reference) or "")

    @pytest.mark.parametrize("reference", ["", "auth 0A1B2C", "x1111", "1111", "check 100234"])
    def test_it_accepts_an_authorization_code_or_last_four(self, reference: str) -> None:
        assert card_reference_problem(reference) is None


class TestPlans:
    def test_it_ends_on_the_remainder(self) -> None:
        schedule = plan_schedule(total=D("250.00"), monthly=D("100.00"), first_due=TODAY)
        assert [(i.due, i.amount) for i in schedule] == [
            (dt.date(2026, 12, 6), D("100.00")),
            (dt.date(2027, 1, 6), D("100.00")),
            (dt.date(2027, 2, 6), D("50.00")),
        ]

    def test_it_keeps_the_31st_as_the_last_day_of_short_months(self) -> None:
        schedule = plan_schedule(total=D("400"), monthly=D("100"), first_due=dt.date(2027, 1, 31))
        assert [i.due for i in schedule] == [
            dt.date(2027, 1, 31),
            dt.date(2027, 2, 28),
            dt.date(2027, 3, 31),
            dt.date(2027, 4, 30),
        ]
        assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)

    @pytest.mark.parametrize(
        ("monthly", "total"), [(D(0), D(100)), (D("-5"), D(100)), (D(10), D(0)), (D("1.005"), D(5))]
    )
    def test_it_refuses_impossible_plans(self, monthly: Decimal, total: Decimal) -> None:
        with pytest.raises(ValueError):
            plan_schedule(total=total, monthly=monthly, first_due=TODAY)

    def test_it_is_on_track_when_every_past_instalment_is_paid(self) -> None:
        status = plan_status(
            total=D("300"),
            monthly=D("100"),
            first_due=dt.date(2026, 11, 1),
            payments=[D("100")],
            today=dt.date(2026, 11, 20),
        )
        assert status.missed is False
        assert status.next_due == dt.date(2026, 12, 1)
        assert status.amount_due == D("100")
        assert status.remaining == D("200")

    def test_it_flags_a_missed_instalment_and_asks_for_the_arrears(self) -> None:
        status = plan_status(
            total=D("300"),
            monthly=D("100"),
            first_due=dt.date(2026, 10, 1),
            payments=[D("100")],
            today=dt.date(2026, 11, 20),
        )
        assert status.missed is True
        assert status.missed_count == 1
        assert status.next_due == dt.date(2026, 12, 1)
        assert status.amount_due == D("200")

    def test_it_is_not_missed_on_the_due_date_itself(self) -> None:
        status = plan_status(
            total=D("300"),
            monthly=D("100"),
            first_due=TODAY,
            payments=[],
            today=TODAY,
        )
        assert (status.missed, status.next_due, status.amount_due) == (False, TODAY, D("100"))

    def test_it_asks_for_everything_today_when_the_last_instalment_passed(self) -> None:
        status = plan_status(
            total=D("200"),
            monthly=D("100"),
            first_due=dt.date(2026, 8, 1),
            payments=[D("50")],
            today=TODAY,
        )
        assert (status.missed_count, status.next_due, status.amount_due) == (2, TODAY, D("150"))

    def test_it_is_done_when_paid(self) -> None:
        status = plan_status(
            total=D("200"),
            monthly=D("100"),
            first_due=dt.date(2026, 8, 1),
            payments=[D("150"), D("50")],
            today=TODAY,
        )
        assert (status.missed, status.next_due, status.remaining) == (False, None, D(0))
