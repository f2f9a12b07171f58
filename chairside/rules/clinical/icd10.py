"""ICD-10-CM code format.

Source: CDC/NCHS ICD-10-CM Official Guidelines for Coding and Reporting, section I.A:
a code is 3 to 7 characters; the first is a letter (U is reserved for special use but is a
valid first character, e.g. U07.1), the second a digit, the third a digit or letter; a dot
follows the third character when more follow. Whether a code is billable (complete) is a
question for the code set, not the format.
"""

from __future__ import annotations

import re

_ICD10_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")


def normalize_icd10(code: str) -> str:
    """Upper-case a code and put the dot after the third character ('k5090' → 'K50.90').

    Raises ValueError when the result is not shaped like an ICD-10-CM code.
    """
    raw = code.strip().upper().replace(" ", "")
    if "." not in raw and len(raw) > 3:
        raw = f"{raw[:3]}.{raw[3:]}"
    if not _ICD10_RE.match(raw):
        raise ValueError(
            f"'{code.strip()}' is not an ICD-10-CM code: expected a letter, two characters, "
            "then optionally a dot and 1-4 more (e.g. K50.90)."
        )
    return raw


def billable_children(code: str, known_codes: list[str] | tuple[str, ...]) -> list[str]:
    """The known complete codes under ``code`` when ``code`` is a category or subcategory.

    ICD-10-CM Official Guidelines I.B.3: "A three-character code is to be used only if it is
    not further subdivided"; a code with children is not billable and claims carrying it are
    rejected (e.g. G35 since FY2026 has the children G35.A … G35.D). An empty list means the
    code has no children among the known ones (it may still be incomplete in the full code
    set, which Chairside does not ship).
    """
    stem = code.replace(".", "")
    return sorted(c for c in known_codes if c != code and c.replace(".", "").startswith(stem))
