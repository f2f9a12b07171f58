from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.common.npi import is_valid_npi, npi_check_digit

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def luhn_is_valid(number: str) -> bool:
    """An independent Luhn check over a whole number, check digit included."""
    digits = [int(char) for char in number]
    odd = digits[-1::-2]
    even = [sum(divmod(2 * digit, 10)) for digit in digits[-2::-2]]
    return (sum(odd) + sum(even)) % 10 == 0


class TestNpiCheckDigit:
    def test_it_computes_the_cms_worked_example(self):
        # CMS check-digit document: 123456789 -> check digit 3 (NPI 1234567893).
        assert npi_check_digit("123456789") == "3"

    @pytest.mark.parametrize("bad", ["12345678", "1234567890", "12345678a", " 23456789", ""])
    def test_it_rejects_anything_but_9_digits(self, bad):
        with pytest.raises(ValueError, match="9 digits"):
            npi_check_digit(bad)

    @given(nine_digits)
    def test_it_agrees_with_luhn_over_the_80840_prefix(self, first9):
        assert luhn_is_valid("80840" + first9 + npi_check_digit(first9))

    @given(nine_digits)
    def test_it_equals_the_constant_24_shortcut(self, first9):
        # CMS: without the prefix, add 24 to the Luhn sum of the 9 digits.
        digits = [int(char) for char in first9]
        doubled = [sum(divmod(2 * digit, 10)) for digit in digits[-1::-2]]
        total = 24 + sum(doubled) + sum(digits[-2::-2])
        assert npi_check_digit(first9) == str((10 - total % 10) % 10)


class TestIsValidNpi:
    def test_it_accepts_the_cms_example(self):
        assert is_valid_npi("1234567893")

    def test_it_rejects_the_example_with_another_check_digit(self):
        assert not is_valid_npi("1234567890")

    @pytest.mark.parametrize(
        "bad",
        [
            "123456789",
            "12345678930",
            " 1234567893",
            "1234567893 ",
            "12345 67893",
            "123456789O",
            "１２３４５６７８９３",  # full-width digits
            "",
            1234567893,
            None,
            b"1234567893",
            ["1234567893"],
        ],
    )
    def test_it_returns_false_and_never_raises_for_malformed_input(self, bad):
        assert is_valid_npi(bad) is False

    @given(nine_digits)
    def test_it_accepts_exactly_one_last_digit(self, first9):
        accepted = [last for last in "0123456789" if is_valid_npi(first9 + last)]
        assert accepted == [npi_check_digit(first9)]

    @given(nine_digits, st.integers(min_value=0, max_value=8), st.integers(1, 9))
    def test_it_catches_any_single_digit_typo(self, first9, position, shift):
        npi = first9 + npi_check_digit(first9)
        typo = str((int(npi[position]) + shift) % 10)
        assert not is_valid_npi(npi[:position] + typo + npi[position + 1 :])
