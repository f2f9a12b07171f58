"""The coded lab list (issue 13 item 6)."""

from __future__ import annotations

import re

from chairside.rules.clinical.lab_codes import code_for, lab_codes, match_key

LOINC = re.compile(r"^\d{1,7}-\d$")


def test_every_entry_has_checked_loinc_codes_with_their_source() -> None:
    codes = lab_codes()
    assert {"cbc", "hbsag", "anti-hbc", "hbv-screen", "tb-screen"} <= set(codes)
    for entry in codes.values():
        assert entry.loinc, entry.key
        for loinc in entry.loinc:
            assert LOINC.match(loinc.code), loinc.code
            assert loinc.source.startswith("http"), loinc.source
    assert codes["cbc"].loinc_codes == "58410-2"
    assert codes["hbsag"].loinc_codes == "5196-1"
    assert codes["anti-hbc"].loinc_codes == "16933-4"
    assert codes["hbv-screen"].loinc_codes == "5196-1 + 16933-4"
    # The IGRA's result, not the mitogen control value (71774-4) of the same test.
    assert codes["tb-screen"].loinc_codes == "71773-6"


def test_typed_names_map_to_the_list_whatever_their_case_and_spacing() -> None:
    assert code_for("Tuberculosis screening (TST or IGRA)") == "tb-screen"
    assert code_for("  QuantiFERON ") == "tb-screen"
    assert code_for("hepatitis B virus   screening") == "hbv-screen"
    assert code_for("CBC with differential and platelets") == "cbc-diff"
    assert code_for("HBsAg") == "hbsag"


def test_a_name_off_the_list_stays_uncoded_and_matches_by_exact_name() -> None:
    assert code_for("Anti-JCV antibody (with index)") == ""
    assert match_key("", "Anti-JCV antibody (with index)") == "name:anti-jcv antibody (with index)"
    assert match_key("tb-screen", "QuantiFERON") == match_key("tb-screen", "TB test")


def test_a_row_saved_without_a_code_but_named_as_a_coded_entry_matches_by_code() -> None:
    assert match_key("", "CBC") == match_key("cbc", "complete blood count") == "code:cbc"
