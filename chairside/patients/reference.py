"""The curated ICD-10-CM list shipped in ``data/icd10_infusion.json`` (sources in its _meta)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from chairside.rules.clinical.icd10 import billable_children

DATA = Path(__file__).resolve().parent / "data" / "icd10_infusion.json"


@cache
def icd10_catalog() -> dict[str, dict[str, str]]:
    """Code → {code, description, group} for the diagnoses infusion centers see most."""
    if not DATA.exists():
        return {}
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return {row["code"]: row for row in raw["codes"]}


def icd10_description(code: str) -> str | None:
    row = icd10_catalog().get(code)
    return row["description"] if row else None


def icd10_not_billable(code: str) -> str | None:
    """Why a code cannot be billed, with its billable children, or None."""
    children = billable_children(code, tuple(icd10_catalog()))
    if not children:
        return None
    choices = "; ".join(f"{c} {icd10_catalog()[c]['description']}" for c in children[:8])
    return f"{code} is a category, not a billable code. Choose one of: {choices}."


def icd10_search(term: str, limit: int = 20) -> list[dict[str, str]]:
    """Codes whose code, description or group contains every word of the term."""
    words = [w for w in term.lower().split() if w]
    if not words:
        return []
    hits = []
    for row in icd10_catalog().values():
        text = f"{row['code']} {row['description']} {row.get('group', '')}".lower()
        if all(w in text for w in words):
            hits.append(row)
    return hits[:limit]
