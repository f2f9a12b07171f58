from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.inventory.ndc import claim_ndc, format_ndc11, to_ndc11

ndc11_codes = st.text(alphabet="0123456789", min_size=11, max_size=11)


class TestToNdc11:
    def test_it_pads_the_labeler_of_a_4_4_2_code(self):
        assert to_ndc11("0409-4888-02") == "00409488802"

    def test_it_pads_the_product_of_a_5_3_2_code(self):
        assert to_ndc11("50242-051-21") == "50242005121"

    def test_it_pads_the_package_of_a_5_4_1_code(self):
        assert to_ndc11("12345-6789-1") == "12345678901"

    def test_it_drops_the_hyphens_of_a_5_4_2_code(self):
        assert to_ndc11("00409-4888-02") == "00409488802"

    def test_it_keeps_11_bare_digits(self):
        assert to_ndc11("00409488802") == "00409488802"

    def test_it_strips_surrounding_whitespace(self):
        assert to_ndc11("  0409-4888-02\n") == "00409488802"

    def test_it_rejects_10_bare_digits_as_ambiguous(self):
        with pytest.raises(ValueError, match="ambiguous"):
            to_ndc11("0409488802")

    def test_it_says_how_many_digits_a_short_code_has(self):
        with pytest.raises(ValueError, match=r"NDC '1234' has 4 digits; expected 10 or 11"):
            to_ndc11("1234")

    @pytest.mark.parametrize(
        "bad",
        [
            "",
            "   ",
            "004094888021",  # 12 digits
            "0409-4888-0A",
            "O409-4888-02",  # letter O, not zero
            "0409 4888 02",
            "0409-4888",
            "0409-4888-02-1",
            "0409--4888-02",
            "123-4567-89",  # 3-4-2
            "1234-567-89",  # 4-3-2
            "123456-789-01",  # 6-3-2
            "１２３４-5678-90",  # full-width digits
            "²409-4888-02",
        ],
    )
    def test_it_rejects_malformed_codes(self, bad):
        with pytest.raises(ValueError, match="NDC"):
            to_ndc11(bad)

    def test_it_rejects_a_non_string(self):
        with pytest.raises(ValueError, match="string"):
            to_ndc11(40948880)  # type: ignore[arg-type]

    @given(ndc11_codes)
    def test_it_round_trips_the_5_4_2_form(self, code):
        assert to_ndc11(f"{code[:5]}-{code[5:9]}-{code[9:]}") == code
        assert to_ndc11(code) == code

    @given(ndc11_codes)
    def test_it_round_trips_every_10_digit_form_of_a_padded_code(self, code):
        labeler, product, package = code[:5], code[5:9], code[9:]
        if labeler.startswith("0"):
            assert to_ndc11(f"{labeler[1:]}-{product}-{package}") == code
        if product.startswith("0"):
            assert to_ndc11(f"{labeler}-{product[1:]}-{package}") == code
        if package.startswith("0"):
            assert to_ndc11(f"{labeler}-{product}-{package[1:]}") == code

    @given(ndc11_codes)
    def test_it_inverts_format_ndc11(self, code):
        assert to_ndc11(format_ndc11(code)) == code


class TestFormatNdc11:
    def test_it_writes_5_4_2(self):
        assert format_ndc11("00409488802") == "00409-4888-02"

    @pytest.mark.parametrize("bad", ["0409488802", "00409-4888-02", "0040948880X", ""])
    def test_it_rejects_anything_but_11_digits(self, bad):
        with pytest.raises(ValueError, match="11 digits"):
            format_ndc11(bad)


class TestClaimNdc:
    def test_it_writes_the_worked_example(self):
        assert claim_ndc("0409-4888-02", Decimal("10"), "ML") == "N400409488802ML10"

    @pytest.mark.parametrize(
        ("quantity", "written"),
        [
            (Decimal("2.50"), "2.5"),
            (Decimal("100"), "100"),
            (Decimal("1E+2"), "100"),
            (Decimal("1.2345"), "1.235"),
            (Decimal("1.2344"), "1.234"),
            (Decimal("0.0005"), "0.001"),
            (Decimal("7.000"), "7"),
            (Decimal("12345678.125"), "12345678.125"),
        ],
    )
    def test_it_writes_the_quantity_plainly_to_3_places(self, quantity, written):
        assert claim_ndc("00409-4888-02", quantity, "UN") == f"N400409488802UN{written}"

    @pytest.mark.parametrize("unit", ["UN", "ML", "GR", "F2", "ME", "un", "f2", "Me"])
    def test_it_accepts_every_nucc_unit_qualifier_in_any_case(self, unit):
        assert claim_ndc("00409-4888-02", Decimal("1"), unit).endswith(f"{unit.upper()}1")

    @pytest.mark.parametrize("unit", ["MG", "", "U", "ML ", "EA", "VP"])
    def test_it_rejects_other_units(self, unit):
        with pytest.raises(ValueError, match="unit"):
            claim_ndc("00409-4888-02", Decimal("1"), unit)

    @pytest.mark.parametrize(
        "quantity", [Decimal("0"), Decimal("-1"), Decimal("NaN"), Decimal("Infinity")]
    )
    def test_it_rejects_a_quantity_that_is_not_positive(self, quantity):
        with pytest.raises(ValueError, match="greater than 0"):
            claim_ndc("00409-4888-02", quantity, "ML")

    def test_it_rejects_a_quantity_that_rounds_to_zero(self):
        with pytest.raises(ValueError, match="rounds to 0"):
            claim_ndc("00409-4888-02", Decimal("0.0004"), "ML")

    def test_it_rejects_a_float_quantity(self):
        with pytest.raises(ValueError, match="Decimal"):
            claim_ndc("00409-4888-02", 2.5, "ML")  # type: ignore[arg-type]

    def test_it_rejects_a_bad_ndc(self):
        with pytest.raises(ValueError, match="ambiguous"):
            claim_ndc("0409488802", Decimal("1"), "ML")

    @given(
        ndc11_codes,
        st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3),
    )
    def test_it_round_trips_the_quantity(self, code, quantity):
        written = claim_ndc(code, quantity, "ML")
        assert written.startswith(f"N4{code}ML")
        assert Decimal(written.removeprefix(f"N4{code}ML")) == quantity
        assert "E" not in written[2:]
