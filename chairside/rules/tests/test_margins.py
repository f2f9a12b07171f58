from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.billing.margins import (
    VisitMargin,
    ageing,
    ageing_bucket,
    nurse_cost,
    summarize,
    unviable,
)

D = Decimal


def visit(drug="infliximab", payer="Medicare", **kw):
    values = dict(
        payer_revenue=D("1174.04"),
        patient_revenue=D("299.50"),
        drug_revenue=D("1326.00"),
        drug_cost=D("1320.00"),
        supplies_cost=D("25.00"),
        nurse_cost=D("32.50"),
    )
    values.update(kw)
    return VisitMargin(drug, payer, **values)


class TestVisitMargin:
    def test_it_subtracts_every_cost_from_both_shares(self):
        v = visit()
        assert v.revenue == D("1473.54")
        assert v.cost == D("1377.50")
        assert v.margin == D("96.04")

    def test_it_prices_nurse_time_per_patient_of_the_ratio(self):
        """2 h 30 min at 52.00 an hour, shared by 4 patients -> 32.50."""
        assert nurse_cost(150, D("52.00"), 4) == D("32.50")

    def test_it_refuses_a_nurse_with_no_patients(self):
        with pytest.raises(ValueError, match="at least one"):
            nurse_cost(60, D(50), 0)


class TestSummaries:
    def test_it_adds_up_by_drug_and_payer_worst_first(self):
        rows = [
            visit(),
            visit(),
            visit(
                "iron sucrose",
                "Keystone",
                drug_revenue=D(40),
                drug_cost=D(60),
                payer_revenue=D(150),
                patient_revenue=D(0),
            ),
        ]
        by_pair = summarize(rows, lambda v: (v.drug, v.payer))
        assert [s.key for s in by_pair] == [
            ("iron sucrose", "Keystone"),
            ("infliximab", "Medicare"),
        ]
        assert by_pair[1].visits == 2 and by_pair[1].margin == D("192.08")
        assert by_pair[1].margin_per_visit == D("96.04")
        assert [s.key for s in unviable(rows)] == [("iron sucrose", "Keystone")]

    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["a", "b", "c"]),
                st.sampled_from(["x", "y"]),
                st.decimals(min_value=0, max_value=10000, places=2),
                st.decimals(min_value=0, max_value=10000, places=2),
            ),
            max_size=30,
        )
    )
    def test_it_reconciles_to_the_cent_whatever_the_grouping(self, items):
        rows = [visit(d, p, payer_revenue=r, drug_cost=c) for d, p, r, c in items]
        total = sum((v.margin for v in rows), D(0))
        for key in (lambda v: (v.drug,), lambda v: (v.payer,), lambda v: (v.drug, v.payer)):
            assert sum((s.margin for s in summarize(rows, key)), D(0)) == total


class TestAgeing:
    def test_it_buckets_by_days_since_the_date_of_service(self):
        today = dt.date(2026, 6, 30)
        assert ageing_bucket(today, today) == "0–30"
        assert ageing_bucket(dt.date(2026, 5, 31), today) == "0–30"
        assert ageing_bucket(dt.date(2026, 5, 30), today) == "31–60"
        assert ageing_bucket(dt.date(2026, 4, 1), today) == "61–90"
        assert ageing_bucket(dt.date(2026, 3, 31), today) == "90+"

    def test_it_totals_every_bucket(self):
        today = dt.date(2026, 6, 30)
        got = ageing(
            [(today, D("10.10")), (dt.date(2026, 1, 1), D("5.05")), (today, D("0.01"))], today
        )
        assert got == {"0–30": D("10.11"), "31–60": D(0), "61–90": D(0), "90+": D("5.05")}
