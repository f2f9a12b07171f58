from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.inventory.fefo import (
    LotStock,
    Pick,
    choose_within_stock,
    is_expired,
    label_expiry,
    pick_fefo,
    plan_dose,
    usable_lots,
)
from chairside.rules.inventory.vials import choose_vials

D = Decimal
TODAY = date(2026, 3, 10)


def lot(lot_id, strength="100", days=100, vials=5, patient=None):
    return LotStock(lot_id, D(strength), TODAY + timedelta(days=days), vials, patient)


class TestExpiry:
    def test_it_allows_a_lot_on_its_expiry_date(self):
        assert not is_expired(TODAY, TODAY)
        assert is_expired(TODAY - timedelta(days=1), TODAY)

    def test_it_reads_a_month_year_label_as_the_last_day_of_the_month(self):
        # USP <7>: "EXP 02/2028" means 29 February 2028 (a leap year).
        assert label_expiry(2028, 2) == date(2028, 2, 29)
        assert label_expiry(2027, 2) == date(2027, 2, 28)
        assert label_expiry(2027, 4, 15) == date(2027, 4, 15)

    @pytest.mark.parametrize(("month", "day"), [(0, None), (13, None), (2, 30)])
    def test_it_rejects_impossible_label_dates(self, month, day):
        with pytest.raises(ValueError):
            label_expiry(2027, month, day)


class TestUsableLots:
    def test_it_orders_by_expiry_and_skips_expired_and_empty_lots(self):
        lots = [
            lot("late", days=90),
            lot("expired", days=-1),
            lot("empty", vials=0),
            lot("soon", days=3),
        ]
        assert [x.lot_id for x in usable_lots(lots, today=TODAY, patient_id=None)] == [
            "soon",
            "late",
        ]

    def test_it_keeps_patient_specific_stock_for_its_patient_and_uses_it_first(self):
        lots = [lot("center", days=5), lot("white-bag", days=200, patient="p1")]
        assert [x.lot_id for x in usable_lots(lots, today=TODAY, patient_id="p1")] == [
            "white-bag",
            "center",
        ]
        assert [x.lot_id for x in usable_lots(lots, today=TODAY, patient_id="p2")] == ["center"]
        assert [x.lot_id for x in usable_lots(lots, today=TODAY, patient_id=None)] == ["center"]


class TestPickFefo:
    def test_it_takes_from_the_first_expiring_lot_then_the_next(self):
        lots = [lot("b", days=60, vials=5), lot("a", days=30, vials=2)]
        assert pick_fefo(lots, {D("100"): 4}, today=TODAY) == [
            Pick("a", D("100"), 2),
            Pick("b", D("100"), 2),
        ]

    def test_it_says_how_many_vials_are_short(self):
        with pytest.raises(ValueError, match="3 unexpired 100 mg vials needed; only 2 on hand"):
            pick_fefo([lot("a", vials=2), lot("x", days=-5, vials=9)], {D("100"): 3}, today=TODAY)

    def test_it_rejects_a_negative_count(self):
        with pytest.raises(ValueError, match="whole number"):
            pick_fefo([lot("a")], {D("100"): -1}, today=TODAY)


class TestPlanDose:
    def test_it_opens_what_choose_vials_picks_when_the_shelf_has_it(self):
        # Tocilizumab 80/200/400 mg vials (Actemra label): 560 mg = 400 + 80 + 80.
        lots = [lot("t80", "80"), lot("t200", "200"), lot("t400", "400")]
        picks = plan_dose(lots, D("560"), today=TODAY)
        assert {(p.strength_mg, p.vials) for p in picks} == {(D("400"), 1), (D("80"), 2)}

    def test_it_falls_back_to_the_best_choice_the_shelf_holds(self):
        # No 400 mg vial: 2 x 200 + 2 x 80 opens 560 mg, the least the shelf can.
        lots = [lot("t80", "80", vials=3), lot("t200", "200", vials=3)]
        picks = plan_dose(lots, D("560"), today=TODAY)
        assert {(p.strength_mg, p.vials) for p in picks} == {(D("200"), 2), (D("80"), 2)}

    def test_it_refuses_when_only_expired_stock_could_cover_the_dose(self):
        with pytest.raises(ValueError, match="no unexpired stock"):
            plan_dose([lot("old", days=-1)], D("100"), today=TODAY)

    def test_it_refuses_when_everything_on_hand_is_too_little(self):
        with pytest.raises(ValueError, match="more than the 200 mg on hand"):
            plan_dose([lot("a", vials=2)], D("350"), today=TODAY)


def brute_within(dose, available):
    sizes = sorted(available, reverse=True)
    best = None
    for counts in itertools.product(*(range(available[s] + 1) for s in sizes)):
        total = sum(s * n for s, n in zip(sizes, counts, strict=True))
        if total < dose:
            continue
        key = (total, sum(counts), tuple(-n for n in counts))
        if best is None or key < best:
            best = key
    return {s: -n for s, n in zip(sizes, best[2], strict=True) if n} if best else None


sizes_st = st.lists(
    st.sampled_from([D(5), D(50), D(80), D(100), D(120), D(200), D(400)]),
    min_size=1,
    max_size=3,
    unique=True,
)


class TestProperties:
    @given(
        sizes=sizes_st,
        counts=st.lists(st.integers(0, 6), min_size=3, max_size=3),
        dose=st.integers(1, 1200),
    )
    def test_it_finds_the_least_waste_choice_within_stock(self, sizes, counts, dose):
        available = dict(zip(sizes, counts, strict=False))
        expected = brute_within(D(dose), available)
        if expected is None:
            with pytest.raises(ValueError):
                choose_within_stock(D(dose), available)
        else:
            assert choose_within_stock(D(dose), available) == expected

    @given(sizes=sizes_st, dose=st.integers(1, 2000))
    def test_it_agrees_with_choose_vials_when_stock_is_ample(self, sizes, dose):
        lots = [lot(f"l{s}", str(s), vials=500) for s in sizes]
        picks = plan_dose(lots, D(dose), today=TODAY)
        assert {p.strength_mg: p.vials for p in picks} == choose_vials(D(dose), sizes)

    @given(
        offsets=st.lists(st.integers(-30, 30), min_size=1, max_size=6),
        vials=st.lists(st.integers(0, 4), min_size=6, max_size=6),
        patients=st.lists(st.sampled_from([None, "p1", "p2"]), min_size=6, max_size=6),
        dose=st.integers(1, 900),
    )
    def test_it_never_picks_an_expired_lot_or_another_patients_stock(
        self, offsets, vials, patients, dose
    ):
        lots = [
            lot(f"l{i}", days=o, vials=vials[i], patient=patients[i]) for i, o in enumerate(offsets)
        ]
        by_id = {x.lot_id: x for x in lots}
        try:
            picks = plan_dose(lots, D(dose), today=TODAY, patient_id="p1")
        except ValueError:
            return
        for pick in picks:
            chosen = by_id[pick.lot_id]
            assert not is_expired(chosen.expires_on, TODAY)
            assert chosen.patient_id in (None, "p1")
            assert pick.vials <= chosen.vials
        assert sum(p.strength_mg * p.vials for p in picks) >= dose
