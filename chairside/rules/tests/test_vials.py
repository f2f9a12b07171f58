from __future__ import annotations

import itertools
import math
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chairside.rules.inventory.vials import _dynamic_programme, choose_vials

D = Decimal


def opened(choice: dict[Decimal, int]) -> Decimal:
    return sum((size * count for size, count in choice.items()), D(0))


def brute_force(dose: Decimal, sizes: list[Decimal]) -> tuple[Decimal, int, tuple[Decimal, ...]]:
    """(least opened total, fewest vials, largest-first vial list) by trying everything."""
    distinct = sorted(set(sizes), reverse=True)
    ranges = [range(math.ceil(dose / size) + 1) for size in distinct]
    best: tuple[Decimal, int, tuple[Decimal, ...]] | None = None
    for counts in itertools.product(*ranges):
        total = sum((s * n for s, n in zip(distinct, counts, strict=True)), D(0))
        if total < dose:
            continue
        vials = tuple(s for s, n in zip(distinct, counts, strict=True) for _ in range(n))
        # Least total, then fewest vials, then the largest-first list that is greatest.
        key = (total, len(vials), tuple(-v for v in vials))
        if best is None or key < (best[0], best[1], tuple(-v for v in best[2])):
            best = (total, len(vials), vials)
    assert best is not None
    return best


class TestChooseVials:
    def test_it_wastes_nothing_when_the_dose_is_a_sum_of_vials(self):
        # Tocilizumab IV is supplied as 80, 200 and 400 mg vials (FDA label, Actemra).
        assert choose_vials(D("560"), [D("80"), D("200"), D("400")]) == {D("400"): 1, D("80"): 2}

    def test_it_prefers_less_waste_over_fewer_vials(self):
        # 3 x 100 mg wastes 20 mg; one 400 mg vial would waste 120 mg.
        assert choose_vials(D("280"), [D("100"), D("400")]) == {D("100"): 3}

    def test_it_prefers_fewer_vials_when_waste_is_equal(self):
        assert choose_vials(D("400"), [D("100"), D("200"), D("400")]) == {D("400"): 1}

    def test_it_prefers_larger_vials_when_waste_and_count_tie(self):
        # 30 + 10 and 20 + 20 both open 40 mg in two vials.
        assert choose_vials(D("40"), [D("10"), D("20"), D("30")]) == {D("30"): 1, D("10"): 1}

    def test_it_rounds_up_to_a_whole_vial_with_one_size(self):
        # Bortezomib 3.5 mg single-dose vial (FDA label, Velcade); a 2.6 mg dose opens one.
        assert choose_vials(D("2.6"), [D("3.5")]) == {D("3.5"): 1}

    def test_it_is_exact_with_decimal_sizes(self):
        assert choose_vials(D("2.6"), [D("3.5"), D("1")]) == {D("1"): 3}
        assert choose_vials(D("0.3"), [D("0.1"), D("0.25")]) == {D("0.1"): 3}

    def test_it_covers_an_ivig_dose_from_three_sizes(self):
        choice = choose_vials(D("70000"), [D("5000"), D("10000"), D("20000")])
        assert choice == {D("20000"): 3, D("10000"): 1}

    def test_it_is_fast_for_an_ivig_loading_dose(self):
        # IVIG 2 g/kg for a 120 kg patient: 240 g; plus an awkward set of sizes.
        start = time.perf_counter()
        sizes = [D("1000"), D("2500"), D("5000"), D("10000"), D("20000")]
        assert choose_vials(D("240000"), sizes) == {D("20000"): 12}
        awkward = choose_vials(D("240000.5"), [D("997"), D("1009"), D("2.5")])
        assert opened(awkward) == D("240000.5")  # 226 x 1009 + 12 x 997 + 2.5
        assert time.perf_counter() - start < 2

    def test_it_keys_by_the_sizes_as_given(self):
        choice = choose_vials(D("150"), [D("100.0"), D("50"), D("100")])
        assert choice == {D("100"): 1, D("50"): 1}
        assert [str(size) for size in choice] == ["100.0", "50"]

    def test_it_returns_no_zero_counts(self):
        assert choose_vials(D("100"), [D("100"), D("500"), D("1000")]) == {D("100"): 1}

    def test_it_accepts_integer_arguments(self):
        assert choose_vials(300, [100]) == {100: 3}  # type: ignore[arg-type, list-item]

    @pytest.mark.parametrize("dose", [D("0"), D("-5"), D("NaN"), D("Infinity")])
    def test_it_rejects_a_dose_that_is_not_positive(self, dose):
        with pytest.raises(ValueError, match="dose"):
            choose_vials(dose, [D("100")])

    def test_it_rejects_an_empty_list_of_sizes(self):
        with pytest.raises(ValueError, match="no vial sizes"):
            choose_vials(D("100"), [])

    @pytest.mark.parametrize("size", [D("0"), D("-100"), D("NaN")])
    def test_it_rejects_a_size_that_is_not_positive(self, size):
        with pytest.raises(ValueError, match="vial size"):
            choose_vials(D("100"), [D("100"), size])

    def test_it_rejects_floats(self):
        with pytest.raises(ValueError, match="Decimal"):
            choose_vials(100.5, [D("100")])  # type: ignore[arg-type]

    @settings(max_examples=150, deadline=None)
    @given(
        st.integers(min_value=1, max_value=60),
        st.lists(st.integers(min_value=3, max_value=25), min_size=1, max_size=3),
        st.sampled_from([D("1"), D("0.1"), D("2.5")]),
    )
    def test_it_matches_brute_force(self, dose_units, size_units, unit):
        dose = dose_units * unit
        sizes = [units * unit for units in size_units]
        choice = choose_vials(dose, sizes)
        total, count, vials = brute_force(dose, sizes)
        assert opened(choice) == total >= dose
        assert sum(choice.values()) == count
        assert sorted((s for s, n in choice.items() for _ in range(n)), reverse=True) == list(vials)
        assert all(n > 0 for n in choice.values())

    @settings(max_examples=100, deadline=None)
    @given(
        st.integers(min_value=1, max_value=5000),
        st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=4, unique=True),
    )
    def test_it_agrees_with_the_full_table_for_big_doses(self, dose, sizes):
        # The shortcut that fills big doses with the largest vial must not change the answer.
        full = _dynamic_programme(dose, sorted(sizes, reverse=True))
        assert choose_vials(D(dose), [D(s) for s in sizes]) == {D(s): n for s, n in full.items()}
