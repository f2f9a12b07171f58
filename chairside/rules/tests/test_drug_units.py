from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.billing.drug_units import DrugLine, drug_billing_lines


class TestDrugBillingLines:
    def test_it_bills_the_discarded_infliximab_on_a_jw_line(self):
        """Noridian JE Part A, "Drug Wastage - JW and JZ Modifiers": 350 mg infliximab
        from four 100 mg vials, J1745 (10 mg) -> J1745 x 35 and J1745-JW x 5."""
        assert drug_billing_lines("J1745", Decimal(10), Decimal(350), Decimal(400)) == [
            DrugLine("J1745", 35, None),
            DrugLine("J1745", 5, "JW"),
        ]

    def test_it_puts_jz_on_the_only_line_when_the_whole_vial_is_given(self):
        """Noridian JE Part A: the whole 400 mg given -> J1745-JZ x 40."""
        assert drug_billing_lines("J1745", Decimal(10), Decimal(400), Decimal(400)) == [
            DrugLine("J1745", 40, "JZ")
        ]

    def test_it_bills_the_tocilizumab_left_in_the_vials(self):
        """RTA CPA, "Appropriate Medicare Drug Billing" (2017): 331 mg tocilizumab given,
        29 mg discarded, J3262 (1 mg) -> 331 units and 29 JW units."""
        assert drug_billing_lines("J3262", Decimal(1), Decimal(331), Decimal(360)) == [
            DrugLine("J3262", 331, None),
            DrugLine("J3262", 29, "JW"),
        ]

    def test_it_bills_seventy_of_a_hundred_mg_as_seven_and_three_jw(self):
        """ACR, The Rheumatologist, "Key Facts on Billing Drug Wastage" (2023): 70 mg from
        a 100 mg vial, 10 mg units -> 7 units and 3 JW units."""
        assert drug_billing_lines("J9999", Decimal(10), Decimal(70), Decimal(100)) == [
            DrugLine("J9999", 7, None),
            DrugLine("J9999", 3, "JW"),
        ]

    def test_it_rounds_the_dose_up_and_the_discard_down(self):
        """ACR (2023): 77 mg from a 100 mg vial, 10 mg units -> 8 administered units; the
        23 mg left is 2 JW units, since the 8th unit already bills 3 mg of it."""
        assert drug_billing_lines("J9999", Decimal(10), Decimal(77), Decimal(100)) == [
            DrugLine("J9999", 8, None),
            DrugLine("J9999", 2, "JW"),
        ]

    def test_it_uses_jz_when_the_rounded_unit_covers_the_discard(self):
        """Noridian JD DME "Modifier JZ" (CMS JW/JZ FAQ): 70 mg of a 100 mg vial billed per
        100 mg is one unit with JZ; a JW unit for the 30 mg would be an overpayment."""
        assert drug_billing_lines("J9999", Decimal(100), Decimal(70), Decimal(100)) == [
            DrugLine("J9999", 1, "JZ")
        ]

    def test_it_uses_jz_for_seven_of_a_ten_mg_vial(self):
        """ACR (2023): 7 mg of a 10 mg vial at 10 mg a unit -> the whole unit, no JW line."""
        assert drug_billing_lines("J9999", Decimal(10), Decimal(7), Decimal(10)) == [
            DrugLine("J9999", 1, "JZ")
        ]

    def test_it_uses_jz_when_less_than_a_unit_is_discarded(self):
        # 95 mg of 100 mg at 10 mg a unit: 10 units bill the whole vial already.
        assert drug_billing_lines("J9999", Decimal(10), Decimal(95), Decimal(100)) == [
            DrugLine("J9999", 10, "JZ")
        ]

    def test_it_rounds_a_fractional_dose_up(self):
        """CMS Pub. 100-04 ch. 17 §70 (and the math.SE question quoting it): 3.62 mg of a
        0.1 mg code is 37 units."""
        lines = drug_billing_lines("J9041", Decimal("0.1"), Decimal("3.62"), Decimal("3.62"))
        assert lines == [DrugLine("J9041", 37, "JZ")]

    def test_it_rounds_ten_mg_of_a_six_mg_code_up_to_two(self):
        """First Coast (FCSO) drug units guidance: 10 mg given, code per 6 mg -> 2 units."""
        assert drug_billing_lines("J2505", Decimal(6), Decimal(10), Decimal(12)) == [
            DrugLine("J2505", 2, "JZ")
        ]

    def test_it_keeps_a_partly_filled_last_unit_within_the_label(self):
        # Romiplostim J2796 is per 10 mcg; the vial holds 125 mcg (12.5 units). 95 mcg
        # bills 10 units; 25 mcg of the label is left, which is 2 whole units, not 3.
        assert drug_billing_lines("J2796", Decimal(10), Decimal(95), Decimal(125)) == [
            DrugLine("J2796", 10, None),
            DrugLine("J2796", 2, "JW"),
        ]

    def test_it_normalises_the_code_to_upper_case(self):
        assert drug_billing_lines(" j1745 ", Decimal(10), Decimal(400), Decimal(400)) == [
            DrugLine("J1745", 40, "JZ")
        ]

    def test_it_accepts_a_five_digit_code(self):
        assert drug_billing_lines("90677", Decimal(1), Decimal(1), Decimal(1)) == [
            DrugLine("90677", 1, "JZ")
        ]

    @pytest.mark.parametrize(
        "bad", ["", "  ", "J174", "J17455", "1745", "JJ745", "J17-5", "J１７４５", "Q 123"]
    )
    def test_it_rejects_malformed_codes(self, bad):
        with pytest.raises(ValueError, match="HCPCS"):
            drug_billing_lines(bad, Decimal(10), Decimal(10), Decimal(10))

    @pytest.mark.parametrize("unit", [Decimal(0), Decimal(-10)])
    def test_it_rejects_a_non_positive_unit(self, unit):
        with pytest.raises(ValueError, match="unit_mg"):
            drug_billing_lines("J1745", unit, Decimal(10), Decimal(10))

    @pytest.mark.parametrize("dose", [Decimal(0), Decimal(-5)])
    def test_it_rejects_a_non_positive_dose(self, dose):
        with pytest.raises(ValueError, match="dose_mg"):
            drug_billing_lines("J1745", Decimal(10), dose, Decimal(10))

    def test_it_rejects_less_drug_opened_than_given(self):
        with pytest.raises(ValueError, match="opened_mg"):
            drug_billing_lines("J1745", Decimal(10), Decimal(350), Decimal(300))

    @pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), True, "10"])
    def test_it_rejects_amounts_that_are_not_numbers(self, bad):
        with pytest.raises(ValueError, match="unit_mg"):
            drug_billing_lines("J1745", bad, Decimal(10), Decimal(10))


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5000), places=2)


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


class TestDrugBillingLinesProperties:
    @given(unit=amounts, dose=amounts, extra=amounts | st.just(Decimal(0)))
    def test_it_never_bills_more_units_than_the_opened_containers_hold(self, unit, dose, extra):
        opened = dose + extra
        lines = drug_billing_lines("J1745", unit, dose, opened)
        assert sum(line.units for line in lines) <= _ceil(opened / unit)

    @given(unit=amounts, dose=amounts, extra=amounts | st.just(Decimal(0)))
    def test_it_bills_the_dose_rounded_up_on_the_first_line(self, unit, dose, extra):
        lines = drug_billing_lines("J1745", unit, dose, dose + extra)
        assert lines[0].units == _ceil(dose / unit)
        assert lines[0].modifier in (None, "JZ")

    @given(unit=amounts, dose=amounts, extra=amounts | st.just(Decimal(0)))
    def test_it_has_jz_alone_or_a_positive_jw_line(self, unit, dose, extra):
        lines = drug_billing_lines("J1745", unit, dose, dose + extra)
        if len(lines) == 1:
            assert lines[0].modifier == "JZ"
        else:
            assert [line.modifier for line in lines] == [None, "JW"]
            assert lines[1].units >= 1

    @given(unit=amounts, vials=st.integers(1, 20), per_vial=st.integers(1, 50), dose=amounts)
    def test_it_bills_whole_vials_exactly_when_they_hold_whole_units(
        self, unit, vials, per_vial, dose
    ):
        # Containers of a whole number of units: administered + JW is everything opened.
        opened = unit * vials * per_vial
        dose = min(dose, opened)
        lines = drug_billing_lines("J1745", unit, dose, opened)
        assert sum(line.units for line in lines) == vials * per_vial
