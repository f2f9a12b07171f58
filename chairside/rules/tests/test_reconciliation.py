from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.inventory.reconciliation import (
    SIGN,
    Kind,
    check_quantity,
    count_variances,
    reconcile,
)


class TestCheckQuantity:
    @pytest.mark.parametrize(
        ("kind", "vials"),
        [
            (Kind.RECEIVE, 5),
            (Kind.DISPENSE, -2),
            (Kind.ADJUST, -1),
            (Kind.ADJUST, 3),
            (Kind.WASTE, 0),
        ],
    )
    def test_it_accepts_quantities_with_the_kinds_sign(self, kind, vials):
        check_quantity(kind, vials)

    @pytest.mark.parametrize(
        ("kind", "vials", "message"),
        [
            (Kind.RECEIVE, -5, "must add vials"),
            (Kind.DISPENSE, 2, "must remove vials"),
            (Kind.ADJUST, 0, "at least one vial"),
            (Kind.EXPIRE, 0, "at least one vial"),
        ],
    )
    def test_it_rejects_quantities_against_the_kinds_sign(self, kind, vials, message):
        with pytest.raises(ValueError, match=message):
            check_quantity(kind, vials)

    def test_it_rejects_fractions_of_a_vial(self):
        with pytest.raises(ValueError, match="whole number"):
            check_quantity(Kind.RECEIVE, 1.5)  # type: ignore[arg-type]


class TestReconcile:
    def test_it_totals_each_kind_and_balances(self):
        r = reconcile(
            10,
            [("receive", 20), ("dispense", -8), ("waste", -1), ("transfer_out", -3), ("adjust", 1)],
            19,
        )
        assert r.totals[Kind.RECEIVE] == 20
        assert r.totals[Kind.DISPENSE] == -8
        assert r.expected_closing == 19
        assert r.balanced

    def test_it_shows_an_unbalanced_ledger(self):
        assert not reconcile(10, [("receive", 5)], 14).balanced

    @given(
        opening=st.integers(0, 500),
        moves=st.lists(st.tuples(st.sampled_from(list(Kind)), st.integers(1, 50)), max_size=30),
    )
    def test_it_always_balances_a_ledger_summed_the_same_way(self, opening, moves):
        signed = [(k, n * (SIGN[k] or 1)) for k, n in moves]
        closing = opening + sum(v for _, v in signed)
        assert reconcile(opening, signed, closing).balanced


class TestCountVariances:
    def test_it_reports_counted_minus_expected_for_counted_lots(self):
        expected = {"A": 5, "B": 3, "C": 2}
        assert count_variances(expected, {"A": 4, "B": 3, "C": None}) == {"A": -1}

    def test_it_treats_a_lot_found_but_not_expected_as_a_gain(self):
        assert count_variances({}, {"N": 2}) == {"N": 2}

    def test_it_rejects_a_negative_count(self):
        with pytest.raises(ValueError, match="whole number >= 0"):
            count_variances({"A": 1}, {"A": -1})
