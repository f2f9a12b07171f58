from __future__ import annotations

import json
from pathlib import Path

import pytest

from chairside.rules.billing.mue_file import load_shipped, parse_mue_csv

SAMPLE = """CMS NCCI Practitioner Services MUE Table
"CPT codes, descriptions and other data only are copyright American Medical Association"
HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale
J9999,9,3 Date of Service Edit: Clinical,Test value
96413,1,2 Date of Service Edit: Policy,Test value
BAD,x,3,
"""


def test_it_reads_the_table_after_the_title_lines():
    table = parse_mue_csv(SAMPLE, source="test", file_date="2026-10-01")
    assert table.values == {"J9999": 9, "96413": 1}
    assert [line for line, _ in table.skipped] == [6]


def test_it_refuses_a_file_without_the_table_header():
    with pytest.raises(ValueError, match="MUE table"):
        parse_mue_csv("HCPCS Code,Short Description,Payment Limit\nJ1745,x,1\n")


def test_the_shipped_file_holds_only_counts_and_names_its_source():
    path = Path(__file__).resolve().parents[2] / "billing" / "data" / "mue_practitioner.json"
    shipped = load_shipped(path)
    assert shipped.source.startswith("CMS Medically Unlikely Edits")
    assert all(isinstance(v, int) and v > 0 for v in shipped.values.values())
    assert "note" in json.loads(path.read_text())
