"""MBI format from CMS's "Understanding the Medicare Beneficiary Identifier (MBI) Format"."""

from __future__ import annotations

import pytest

from chairside.rules.access.member_ids import (
    is_valid_mbi,
    mbi_problem,
    member_id_problem,
    normalize_mbi,
)


class TestMbi:
    def test_it_accepts_cms_example(self) -> None:
        # The example MBI printed in CMS's format document.
        assert is_valid_mbi("1EG4-TE5-MK73")
        assert normalize_mbi("1eg4-te5-mk73") == "1EG4TE5MK73"

    @pytest.mark.parametrize(
        ("mbi", "words"),
        [
            ("1EG4TE5MK7", "11 characters"),
            ("0EG4TE5MK73", "Character 1 must be a digit 1-9"),
            ("1SG4TE5MK73", "never use the letters S, L, O, I, B or Z"),
            ("1EG4TE5MK7O", "never use"),
            ("11G4TE5MK73", "Character 2 must be a letter"),
            ("1EGATE5MK73", "Character 4 must be a digit"),
            ("1EG4TE5M173", "Character 9 must be a letter"),
        ],
    )
    def test_it_names_the_wrong_position(self, mbi: str, words: str) -> None:
        problem = mbi_problem(mbi)
        assert problem is not None and words in problem

    def test_an_old_hicn_is_refused(self) -> None:
        # A Health Insurance Claim Number (SSN-based, 9 digits + letter) is no longer accepted.
        assert not is_valid_mbi("123456789A")


class TestPayerPattern:
    def test_it_checks_the_payer_pattern(self) -> None:
        assert member_id_problem("XYZ123456789", r"[A-Z]{3}\d{9}") is None
        assert member_id_problem("12345", r"[A-Z]{3}\d{9}") is not None

    def test_no_or_broken_pattern_accepts(self) -> None:
        assert member_id_problem("anything", "") is None
        assert member_id_problem("anything", "[unclosed") is None
