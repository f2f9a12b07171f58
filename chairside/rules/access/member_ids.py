"""Member ID formats.

Medicare Beneficiary Identifier (MBI) — CMS, "Understanding the Medicare Beneficiary
Identifier (MBI) Format" (https://www.cms.gov/medicare/new-medicare-card/understanding-the-mbi.pdf):
11 characters, upper case, no dashes when stored or sent (dashes may be printed):

    position: 1    2  3   4  5  6   7  8  9  10 11
    kind:     C    A  AN  N  A  AN  N  A  A  N  N

C is a digit 1-9, N a digit 0-9, A a letter, AN a letter or digit. The letters S, L, O, I,
B and Z are never used.
"""

from __future__ import annotations

import re

_LETTER = "[AC-HJKMNP-RT-Y]"  # A-Z without B, I, L, O, S, Z
_ALNUM = "[AC-HJKMNP-RT-Y0-9]"
_MBI_RE = re.compile(
    rf"^[1-9]{_LETTER}{_ALNUM}[0-9]{_LETTER}{_ALNUM}[0-9]{_LETTER}{_LETTER}[0-9][0-9]$"
)
_KIND_BY_POSITION = ["C", "A", "AN", "N", "A", "AN", "N", "A", "A", "N", "N"]
_KIND_WORDS = {"C": "a digit 1-9", "N": "a digit", "A": "a letter", "AN": "a letter or digit"}


def normalize_mbi(text: str) -> str:
    """Upper-case, without the spaces and dashes of the printed card."""
    return re.sub(r"[\s-]", "", text).upper()


def mbi_problem(text: str) -> str | None:
    """Why ``text`` is not an MBI (None when it is one), in words a coordinator can act on."""
    mbi = normalize_mbi(text)
    if len(mbi) != 11:
        return f"A Medicare number (MBI) has 11 characters; this has {len(mbi)}."
    if _MBI_RE.match(mbi):
        return None
    for position, (char, kind) in enumerate(zip(mbi, _KIND_BY_POSITION, strict=True), start=1):
        if char in "SLOIBZ":
            return (
                f"Character {position} is '{char}': MBIs never use the letters S, L, O, I, B or Z."
            )
        if not _position_ok(char, kind):
            return f"Character {position} must be {_KIND_WORDS[kind]} (found '{char}')."
    return "This is not a Medicare Beneficiary Identifier."  # pragma: no cover - defensive


def _position_ok(char: str, kind: str) -> bool:
    if kind == "C":
        return char in "123456789"
    if kind == "N":
        return char.isdigit()
    if kind == "A":
        return char.isalpha()
    return char.isalnum()


def is_valid_mbi(text: str) -> bool:
    return mbi_problem(text) is None


def member_id_problem(member_id: str, pattern: str) -> str | None:
    """A payer-specific member ID check: ``pattern`` is a regular expression the whole ID
    must match (from the payer record; empty means the payer publishes none)."""
    if not pattern:
        return None
    try:
        ok = re.fullmatch(pattern, member_id.strip()) is not None
    except re.error:
        return None  # a broken pattern on the payer record must not block registration
    return None if ok else "This member ID does not have the format the payer's record gives."
