from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chairside.rules.billing.asp_file import decode_asp_bytes, parse_asp_csv

PUBLISHED_LAYOUT = (
    "Payment Allowance Limits for Medicare Part B Drugs,,,,,,,,,,\n"
    '"Effective January 1, 2026 through March 31, 2026",,,,,,,,,,\n'
    ",,,,,,,,,,\n"
    "Note: the payment limits are per HCPCS dosage unit,,,,,,,,,,\n"
    "HCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit,Co-insurance Percentage,"
    "Vaccine AWP%,Vaccine Limit,Blood AWP%,Blood Limit,Clotting Factor,Notes\n"
    "J1745,Infliximab not biosimil 10mg,10 MG,38.500,20.000,,,,,,\n"
    "J3262,Tocilizumab injection,1 MG,5.600,20.000,,,,,,\n"
    "J7318,Hyaluronan durolane,1 MG,,,,,,,,see note\n"
)


class TestParseAspCsv:
    def test_it_reads_the_table_below_the_title_lines(self):
        parsed = parse_asp_csv(PUBLISHED_LAYOUT)
        assert [r.hcpcs for r in parsed.rows] == ["J1745", "J3262"]
        assert parsed.rows[0].payment_limit == Decimal("38.500")
        assert parsed.rows[0].dosage == "10 MG"
        assert parsed.rows[0].coinsurance_percent == Decimal(20)
        assert parsed.effective_from == dt.date(2026, 1, 1)
        assert parsed.effective_to == dt.date(2026, 3, 31)
        assert parsed.title == "Payment Allowance Limits for Medicare Part B Drugs"
        assert not parsed.is_demo

    def test_it_skips_a_code_without_a_limit_and_says_so(self):
        assert parse_asp_csv(PUBLISHED_LAYOUT).skipped == ((8, "J7318: no payment limit"),)

    def test_it_reads_the_older_layout_without_coinsurance(self):
        text = (
            "Title\nHCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit,Notes\n"
            "90371,Hep b ig im,1 ML,138.873,\n"
        )
        [row] = parse_asp_csv(text).rows
        assert (row.hcpcs, row.coinsurance_percent) == ("90371", None)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("HCPCS,Price\nJ1745,1\n", "No table header"),
            ("HCPCS Code,Short Description\nJ1745,x\n", "lacks Payment Limit"),
            ("HCPCS Code,Payment Limit\nJ1745,abc\n", "Line 2: the payment limit 'abc'"),
            ("HCPCS Code,Payment Limit\nJ1745,-1\n", "negative"),
            ("HCPCS Code,Payment Limit\nJ1745,1\nJ1745,2\n", "listed twice"),
            ("HCPCS Code,Payment Limit\nINFLIX,1\n", "not a HCPCS code"),
        ],
    )
    def test_it_rejects_a_file_that_is_not_the_asp_file(self, text, message):
        with pytest.raises(ValueError, match=message):
            parse_asp_csv(text)

    def test_it_marks_a_demo_file(self):
        assert parse_asp_csv("DEMO figures - not CMS data\n" + PUBLISHED_LAYOUT).is_demo

    def test_it_decodes_windows_1252_as_cms_ships_it(self):
        assert decode_asp_bytes("Note:\xa0caf\xe9".encode("cp1252")) == "Note:\xa0caf\xe9"
        assert decode_asp_bytes("\ufeffHCPCS".encode()) == "HCPCS"
