"""The structural check of a 278 against the TR3 (pyx12 ships no X217 map)."""

from __future__ import annotations

from dataclasses import dataclass

from chairside.rules.billing.x12.x12_278.codes import (
    _HL_CODES,
    ACTIONS,
    CERTIFICATION_TYPES,
    PURPOSE_REQUEST,
    PURPOSE_RESPONSE,
    REQUEST_CATEGORY,
    STRUCTURE,
    VERSION,
    Review278Error,
)
from chairside.rules.billing.x12.x12_278.segments import _LEVELS, Segment, _period, split_segments

# --- the structural check -------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    segment: str
    position: int | None
    message: str

    def __str__(self) -> str:
        where = f"segment {self.segment}" + (f" (#{self.position})" if self.position else "")
        return f"{where}: {self.message}"


def check_278(text: str, *, purpose: str) -> list[Problem]:
    """Check a 278's structure against the TR3 (005010X217); an empty list means it passes.

    ``purpose`` is the BHT02 expected: 13 for a request, 11 for a response. Checked: the
    ISA/GS/ST envelope (version 005010X217, transaction set 278, functional group HI) and
    its trailers (SE segment count, GE/IEA counts and control numbers), BHT01/02, the HL
    tree (20 → 21 → 22 → 23 → EV → SS, each parent existing), NM1*X3/1P/IL in their
    levels, and in a request UM01 HS with a known UM02 and at least one HI code. A
    response must carry an HCR with a known action code, or an AAA.
    """
    try:
        segments, component = split_segments(text)
    except Review278Error as exc:
        return [Problem(exc.segment, exc.position, exc.reason)]
    problems: list[Problem] = []
    problems += _envelope(segments)
    if problems:
        return problems
    problems += _hierarchy(segments, purpose)
    problems += _contents(segments, purpose, component)
    return problems


def _envelope(segments: list[Segment]) -> list[Problem]:
    ids = [s.seg_id for s in segments]
    problems: list[Problem] = []
    for needed in ("ISA", "GS", "ST", "BHT", "SE", "GE", "IEA"):
        if ids.count(needed) != 1:
            problems.append(
                Problem(
                    needed,
                    None,
                    f"expected exactly one {needed} segment, found {ids.count(needed)}",
                )
            )
    if problems:
        return problems
    isa, gs, st, se, ge, iea = (
        segments[ids.index(n)] for n in ("ISA", "GS", "ST", "SE", "GE", "IEA")
    )
    if ids[0] != "ISA" or ids[-1] != "IEA":
        problems.append(Problem("ISA", 1, "the interchange must start with ISA and end with IEA"))
    if gs.get(1) != "HI":
        problems.append(Problem("GS", gs.position, "GS01 must be HI (health care services review)"))
    if gs.get(8) != VERSION or st.get(3) != VERSION:
        problems.append(Problem("ST", st.position, f"this is not a {VERSION} 278 (GS08/ST03)"))
    if st.get(1) != "278":
        problems.append(Problem("ST", st.position, f"ST01 is {st.get(1) or 'empty'}, not 278"))
    count = se.position - st.position + 1
    if se.get(1) != str(count):
        problems.append(
            Problem("SE", se.position, f"SE01 says {se.get(1)} segments; there are {count}")
        )
    if se.get(2) != st.get(2):
        problems.append(Problem("SE", se.position, "SE02 does not match ST02"))
    if ge.get(1) != "1" or ge.get(2) != gs.get(6):
        problems.append(Problem("GE", ge.position, "GE must count 1 transaction and match GS06"))
    if iea.get(1) != "1" or iea.get(2) != isa.get(13):
        problems.append(Problem("IEA", iea.position, "IEA must count 1 group and match ISA13"))
    return problems


def _hierarchy(segments: list[Segment], purpose: str) -> list[Problem]:
    problems: list[Problem] = []
    bht = next(s for s in segments if s.seg_id == "BHT")
    if bht.get(1) != STRUCTURE:
        problems.append(Problem("BHT", bht.position, f"BHT01 must be {STRUCTURE}"))
    if bht.get(2) != purpose:
        kind = "request (13)" if purpose == PURPOSE_REQUEST else "response (11)"
        problems.append(
            Problem(
                "BHT", bht.position, f"BHT02 is {bht.get(2) or 'empty'}: this is not a 278 {kind}"
            )
        )
    levels: dict[str, str] = {}
    for seg in (s for s in segments if s.seg_id == "HL"):
        number, parent, code = seg.get(1), seg.get(2), seg.get(3)
        if code not in _HL_CODES:
            problems.append(Problem("HL", seg.position, f"unknown level code HL03 '{code}'"))
            continue
        allowed = _HL_CODES[code].split("|") if _HL_CODES[code] else [""]
        if number in levels:
            problems.append(Problem("HL", seg.position, f"HL01 {number} is used twice"))
        if (levels.get(parent, "") if parent else "") not in allowed:
            problems.append(
                Problem("HL", seg.position, f"level {code} must sit under {' or '.join(allowed)}")
            )
        levels[number] = code
    codes = set(levels.values())
    for code in ("20", "21", "22"):
        if code not in codes:
            problems.append(
                Problem("HL", None, f"the {_LEVELS[code]} level (HL {code}) is missing")
            )
    if purpose == PURPOSE_REQUEST and "EV" not in codes:
        problems.append(Problem("HL", None, "the patient event level (HL EV) is missing"))
    return problems


_ENTITY = {"20": "X3", "21": "1P", "22": "IL", "23": "QC"}


def _contents(segments: list[Segment], purpose: str, component: str) -> list[Problem]:
    problems: list[Problem] = []
    problems += _names(segments)
    for seg in segments:
        problems += _segment_problems(seg, purpose, component)
    ids = {s.seg_id for s in segments}
    if purpose == PURPOSE_REQUEST and "HI" not in ids:
        problems.append(Problem("HI", None, "the patient event needs at least one diagnosis (HI)"))
    if purpose == PURPOSE_RESPONSE and not ids & {"HCR", "AAA"}:
        problems.append(
            Problem("HCR", None, "the response has no decision (HCR) and no error (AAA)")
        )
    return problems


def _names(segments: list[Segment]) -> list[Problem]:
    """Each of the levels 20, 21, 22, 23 names its entity (NM1*X3, 1P, IL, QC)."""
    problems: list[Problem] = []
    named: dict[str, bool] = {}
    current = ""
    for seg in segments:
        if seg.seg_id == "HL":
            current = seg.get(3)
            named.setdefault(current, False)
        elif seg.seg_id == "NM1" and seg.get(1) == _ENTITY.get(current):
            named[current] = True
            if not seg.get(3):
                problems.append(Problem("NM1", seg.position, "NM103 (name) is required"))
    for level, found in named.items():
        if level in _ENTITY and not found:
            problems.append(Problem("NM1", None, f"NM1*{_ENTITY[level]} missing in HL {level}"))
    return problems


def _segment_problems(seg: Segment, purpose: str, component: str) -> list[Problem]:
    where = seg.position
    if seg.seg_id == "UM" and purpose == PURPOSE_REQUEST:
        found = []
        if seg.get(1) != REQUEST_CATEGORY:
            found.append(Problem("UM", where, "UM01 must be HS (health services review)"))
        if seg.get(2) not in CERTIFICATION_TYPES:
            found.append(Problem("UM", where, f"UM02 '{seg.get(2)}' is not I, R, S or E"))
        return found
    if seg.seg_id == "HI":
        wanted = ["ABK", *["ABF"] * (len(seg.elements) - 1)]
        return [
            Problem("HI", where, f"HI{n:02d} must be {w}")
            for n, (composite, w) in enumerate(zip(seg.elements, wanted, strict=True), start=1)
            if composite.split(component)[0] != w
        ]
    if seg.seg_id == "HCR" and seg.get(1) not in ACTIONS:
        return [Problem("HCR", where, f"unknown action code HCR01 '{seg.get(1)}'")]
    if seg.seg_id == "DTP":
        try:
            _period(seg)
        except Review278Error as exc:
            return [Problem("DTP", where, exc.reason)]
    return []
