"""The CMS practitioner Medically Unlikely Edits (MUE) table, and the values Chairside ships.

CMS publishes the MUE tables each quarter (https://www.cms.gov/medicare/coding-billing/
national-correct-coding-initiative-ncci-edits/medicare-ncci-medically-unlikely-edits):
"Practitioner Services MUE Table", a CSV whose table starts at the header row
``HCPCS/CPT Code, Practitioner Services MUE Values, MUE Adjudication Indicator, MUE
Rationale`` (title and copyright lines come before it). "An MUE for a HCPCS/CPT code is the
maximum units of service that a provider would report under most circumstances for a single
beneficiary on a single date of service" (CMS MUE page; FCSO "Medically Unlikely Edits").
The adjudication indicator (MAI) says whether the edit is per claim line (1) or per date
of service (2 absolute, 3 clinical).

``chairside/billing/data/mue_practitioner.json`` ships the values for the formulary's codes
with the file's date and source — only values verified against the published table; a code
that could not be verified is left out (no edit), never guessed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CODE = re.compile(r"^(?:[A-Z][0-9]{4}|[0-9]{5})$")
CODE_COLUMN = "HCPCS/CPT Code"
VALUE_COLUMN = "Practitioner Services MUE Values"
MAI_COLUMN = "MUE Adjudication Indicator"


@dataclass(frozen=True)
class MueTable:
    """MUE values by code, where they come from, and the rows that could not be read."""

    values: dict[str, int]
    source: str
    file_date: str
    skipped: tuple[tuple[int, str], ...] = ()


def parse_mue_csv(text: str, *, source: str = "", file_date: str = "") -> MueTable:
    """Read the CMS practitioner MUE CSV. ValueError when its table header is not found."""
    rows = list(csv.reader(io.StringIO(text)))
    header = next(
        (
            n
            for n, row in enumerate(rows)
            if {CODE_COLUMN, VALUE_COLUMN} <= {cell.strip() for cell in row}
        ),
        None,
    )
    if header is None:
        raise ValueError(
            f"no header row with {CODE_COLUMN!r} and {VALUE_COLUMN!r}: is this the CMS "
            "practitioner services MUE table?"
        )
    names = [cell.strip() for cell in rows[header]]
    code_at, value_at = names.index(CODE_COLUMN), names.index(VALUE_COLUMN)
    index = header
    values: dict[str, int] = {}
    skipped: list[tuple[int, str]] = []
    for number, row in enumerate(rows[index + 1 :], start=index + 2):
        if not any(cell.strip() for cell in row):
            continue
        code = row[code_at].strip().upper() if len(row) > code_at else ""
        value = row[value_at].strip() if len(row) > value_at else ""
        if not _CODE.match(code) or not value.isdigit():
            skipped.append((number, f"{code or '(no code)'}: value {value!r} is not a count"))
            continue
        values[code] = int(value)
    return MueTable(values, source, file_date, tuple(skipped))


def load_shipped(path: Path) -> MueTable:
    """The MUE values file shipped beside the billing app (see the module docstring)."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    values = {str(code): int(value) for code, value in data.get("values", {}).items()}
    return MueTable(values, str(data.get("source", "")), str(data.get("file_date", "")))
