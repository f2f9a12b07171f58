"""Reading carton barcodes: GS1 element strings, GTIN-14 and UPC-A to NDC, lot and expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.inventory.barcodes import (
    GS,
    gs1_check_digit,
    ndc10_from_gtin,
    ndc10_from_upc,
    ndc11_candidates,
    parse_scan,
)
from chairside.rules.inventory.ndc import to_ndc11

# Rituxan 100 mg/10 mL, NDC 50242-051-21 (its label's How Supplied): NDC-10 5024205121.
GTIN = "00350242051217"  # indicator 0 + "03" + 5024205121 + check digit 7
UPC = "350242051217"


class TestGtin:
    def test_it_takes_the_ndc_out_of_a_gtin_14(self):
        assert ndc10_from_gtin(GTIN) == "5024205121"

    def test_a_case_level_indicator_digit_carries_the_same_ndc(self):
        case = "5035024205121" + gs1_check_digit("5035024205121")
        assert ndc10_from_gtin(case) == "5024205121"

    def test_it_refuses_a_wrong_check_digit(self):
        with pytest.raises(ValueError, match="wrong check digit"):
            ndc10_from_gtin("00350242051214")

    def test_it_refuses_a_gtin_without_an_ndc(self):
        other = "0400638133393" + gs1_check_digit("0400638133393")
        with pytest.raises(ValueError, match="does not carry an NDC"):
            ndc10_from_gtin(other)

    def test_it_reads_the_ndc_of_a_upc_a(self):
        assert ndc10_from_upc(UPC) == "5024205121"


class TestCandidates:
    def test_the_three_padded_forms_include_the_labels_5_3_2_form(self):
        forms = ndc11_candidates("5024205121")
        assert forms == ("05024205121", "50242005121", "50242051201")
        assert to_ndc11("50242-051-21") in forms

    @given(
        st.sampled_from([(4, 4, 2), (5, 3, 2), (5, 4, 1)]),
        st.text(alphabet="0123456789", min_size=10, max_size=10),
    )
    def test_the_labels_own_11_digit_form_is_always_a_candidate(self, layout, digits):
        a, b, _ = layout
        hyphenated = f"{digits[:a]}-{digits[a : a + b]}-{digits[a + b :]}"
        assert to_ndc11(hyphenated) in ndc11_candidates(digits)


class TestParseScan:
    def test_it_reads_a_datamatrix_with_gs_separators_and_symbology_identifier(self):
        scan = parse_scan(f"]d201{GTIN}17270630" + f"10RX2231{GS}21SER9001")
        assert (scan.kind, scan.ndc10, scan.lot, scan.serial) == (
            "gs1",
            "5024205121",
            "RX2231",
            "SER9001",
        )
        assert scan.expires_on == dt.date(2027, 6, 30)

    def test_it_reads_the_human_readable_form_with_parentheses(self):
        scan = parse_scan(f"(01){GTIN}(17)270600(10)AB12(21)X99")
        assert (scan.ndc10, scan.lot, scan.serial) == ("5024205121", "AB12", "X99")
        assert scan.expires_on == dt.date(2027, 6, 30)  # day 00: the month's last day

    def test_without_separators_a_lot_at_the_end_is_read(self):
        scan = parse_scan(f"01{GTIN}17281231" + "10LOT77")
        assert (scan.lot, scan.expires_on) == ("LOT77", dt.date(2028, 12, 31))

    def test_a_typed_gs_stand_in_works_as_the_separator(self):
        scan = parse_scan(f"01{GTIN}10AB12<GS>17270630")
        assert (scan.lot, scan.expires_on) == ("AB12", dt.date(2027, 6, 30))

    def test_a_leading_fnc1_is_ignored(self):
        assert parse_scan(f"{GS}01{GTIN}10AB12").lot == "AB12"

    def test_a_bare_gtin_14_gives_the_ndc(self):
        scan = parse_scan(GTIN)
        assert (scan.kind, scan.ndc10, scan.lot) == ("gtin", "5024205121", None)

    def test_a_upc_a_gives_the_ndc(self):
        scan = parse_scan(UPC)
        assert (scan.kind, scan.ndc10) == ("upc", "5024205121")

    def test_a_printed_ndc_is_passed_on_as_typed(self):
        assert parse_scan(" 50242-051-21 ").ndc_text == "50242-051-21"
        assert parse_scan("50242005121").ndc_text == "50242005121"

    def test_a_bare_10_digit_ndc_is_refused_as_ambiguous(self):
        with pytest.raises(ValueError, match="ambiguous"):
            parse_scan("5024205121")

    def test_a_misread_gs1_code_is_refused(self):
        with pytest.raises(ValueError, match="wrong check digit"):
            parse_scan("0100350242051214" + "10AB12")

    def test_a_bad_expiry_is_refused(self):
        with pytest.raises(ValueError, match="could not be read|not a date"):
            parse_scan(f"01{GTIN}17271399")

    def test_text_that_is_no_code_is_refused(self):
        with pytest.raises(ValueError, match="neither an NDC nor a drug barcode"):
            parse_scan("hello")
