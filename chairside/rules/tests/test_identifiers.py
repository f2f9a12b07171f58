"""Placeholder EINs and NPIs are caught; real-looking ones pass."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.common.identifiers import ein_problem, npi_problem
from chairside.rules.common.npi import npi_check_digit


def npi(first9: str) -> str:
    return first9 + npi_check_digit(first9)


class TestEin:
    @pytest.mark.parametrize(
        "ein", ["000000000", "00-0000000", "111111111", "999999999", "123456789", "987654321"]
    )
    def test_it_catches_placeholders(self, ein):
        assert "placeholder" in str(ein_problem(ein))

    @pytest.mark.parametrize("prefix", ["00", "07", "08", "09", "17", "19", "28", "49", "69", "70"])
    def test_it_catches_a_prefix_the_irs_never_assigns(self, prefix):
        assert "never assigns" in str(ein_problem(prefix + "4731906"))

    @pytest.mark.parametrize("ein", ["12345678", "12-34567890", "AB-1234567", ""])
    def test_it_catches_the_wrong_shape(self, ein):
        assert ein_problem(ein) == "must be a 9-digit EIN"

    @pytest.mark.parametrize("ein", ["23-4731906", "234731906", " 95-1234560 "])
    def test_it_accepts_a_real_looking_ein(self, ein):
        assert ein_problem(ein) is None

    @given(st.sampled_from("0123456789"))
    def test_no_repeated_digit_is_ever_accepted(self, digit):
        assert ein_problem(digit * 9) is not None


class TestNpi:
    def test_it_catches_the_cms_documents_example(self):
        assert npi_problem("1234567893") == "is a placeholder, not an assigned NPI"

    @pytest.mark.parametrize("first9", ["111111111", "222222222", "100000000", "200000000"])
    def test_it_catches_repeated_digits_and_zeros(self, first9):
        assert "placeholder" in str(npi_problem(npi(first9)))

    def test_it_catches_a_first_digit_cms_does_not_issue(self):
        assert "1 or 2" in str(npi_problem(npi("300000001")))

    def test_it_catches_a_bad_check_digit(self):
        assert npi_problem("1234567890") == "is not valid (check digit)"

    @pytest.mark.parametrize("value", [npi("130000001"), npi("120000001"), npi("284719305")])
    def test_it_accepts_a_real_looking_npi(self, value):
        assert npi_problem(value) is None
