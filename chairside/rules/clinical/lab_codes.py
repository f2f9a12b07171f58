"""The coded list of labs (issue 13 item 6): required labs and lab results refer to an entry
by key instead of free text that had to match exactly.

The list and its LOINC codes, each with the public source it was checked against, are in
``chairside/formulary/data/lab_codes.json``. Names typed before the list existed map to an
entry through its aliases (case-insensitive); a name that maps to nothing stays *uncoded*:
it is kept, shown with a warning, and matched by its exact name as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "formulary" / "data" / "lab_codes.json"


@dataclass(frozen=True)
class Loinc:
    code: str
    name: str
    source: str


@dataclass(frozen=True)
class LabCode:
    key: str
    name: str
    loinc: tuple[Loinc, ...]
    aliases: tuple[str, ...]

    @property
    def loinc_codes(self) -> str:
        """ "5196-1 + 16933-4" — what the lab reports it under."""
        return " + ".join(c.code for c in self.loinc)


@cache
def lab_codes() -> dict[str, LabCode]:
    """Every entry of the coded list, by key."""
    rows = json.loads(DATA.read_text(encoding="utf-8"))["labs"]
    return {
        row["key"]: LabCode(
            key=row["key"],
            name=row["name"],
            loinc=tuple(Loinc(c["code"], c["name"], c["source"]) for c in row["loinc"]),
            aliases=tuple(a.lower() for a in row.get("aliases", [])),
        )
        for row in rows
    }


def _normal(name: str) -> str:
    return " ".join(name.strip().lower().split())


@cache
def _by_name() -> dict[str, str]:
    found: dict[str, str] = {}
    for code in lab_codes().values():
        for name in (code.name, *code.aliases):
            found.setdefault(_normal(name), code.key)
    return found


def code_for(name: str) -> str:
    """The key of the coded entry a typed name means, or "" when it is not on the list."""
    return _by_name().get(_normal(name or ""), "")


def match_key(code: str, name: str) -> str:
    """What a required lab and a result are matched on: the code (a row saved without one
    but named as a coded entry counts as coded), else the exact name, case-insensitive."""
    code = code or code_for(name)
    return f"code:{code}" if code else f"name:{_normal(name or '')}"


def display_name(code: str, name: str) -> str:
    """The coded entry's name, or the typed name of an uncoded lab."""
    entry = lab_codes().get(code) if code else None
    return entry.name if entry else name
