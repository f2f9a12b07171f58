"""ASC X12 270 Health Care Eligibility Benefit Inquiry, version 005010X279A1: a pure writer,
and a structural check of what it writes.

One interchange (ISA/IEA) holds one functional group (GS01 ``HS``) holding one transaction
(ST/SE) that asks about one coverage. The loops follow the ASC X12N 270/271 Technical Report
Type 3 (005010X279A1), section 2.4 (the 270):

* BHT: ``0022`` (information source, receiver, subscriber or dependent), ``13`` (request),
  our reference, date and time;
* 2000A/2100A information source: ``HL*1**20*1``, ``NM1*PR*2*`` the payer ``*****PI*`` its
  payer id (NM108 ``PI`` payor identification);
* 2000B/2100B information receiver: ``HL*2*1*21*1``, ``NM1*1P*2*`` the billing provider
  ``*****XX*`` its NPI (NM108 ``XX`` the CMS National Provider Identifier);
* 2000C/2100C subscriber: ``HL*3*2*22*`` 0 or 1 (a dependent follows), ``TRN*1*`` our trace
  number ``*`` the originator (TRN03: ``9`` and a 9-character user-assigned identifier, as
  the TR3 allows), ``NM1*IL*1*`` the subscriber ``****MI*`` the member id, ``DMG*D8*`` the
  date of birth and sex, ``DTP*291*D8*`` the date asked about (291 = plan);
* 2000D/2100D dependent, when the patient is not the subscriber (the coverage's
  relationship is spouse, child or other, so the payer knows the patient under the
  subscriber's id): ``HL*4*3*23*0``, the TRN, ``NM1*03*1*`` the patient, the DMG and DTP
  move to the dependent (TR3 1.4.2: the patient is the subscriber only when the payer gives
  the patient an id of their own);
* 2110C/2110D: one ``EQ`` per service type code asked about.

Service type codes (EQ01, X12 code list 1365 "Service Type Code", as printed in the TR3's
EQ01 and EB03 code lists): ``30`` Health Benefit Plan Coverage (the generic request every
information source must answer, TR3 1.4.7), and one for the setting of the order:
``98`` Professional (Physician) Visit - Office, ``50`` Hospital - Outpatient, ``42`` Home
Health Care; ``78`` Chemotherapy when the drug is chemotherapy.

pyx12 ships no map for 005010X279A1 (only 004010X092A1 and an index entry for
005010X092A1 whose map file it does not ship), so :func:`validate_270` checks the envelope
with pyx12's reader (ISA/IEA and GS/GE control numbers, SE and GE counts) and the rest by the
TR3's rules written below (segment order and loops, required elements and their codes).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import pyx12.errors
import pyx12.x12file

from chairside.rules.billing.charges import Person
from chairside.rules.billing.x12.x12_837p import Party, _digits, _isa_segment, _seg, _text
from chairside.rules.billing.x12.x12_validate import X12Problem
from chairside.rules.common.npi import is_valid_npi

VERSION = "005010X279A1"

# X12 code list 1365 (Service Type Code), the codes Chairside asks about.
SERVICE_TYPES: dict[str, str] = {
    "30": "Health Benefit Plan Coverage",
    "42": "Home Health Care",
    "50": "Hospital - Outpatient",
    "78": "Chemotherapy",
    "98": "Professional (Physician) Visit - Office",
}
# The setting of an order → its service type (Chairside's location site types).
SETTING_SERVICE_TYPE: dict[str, str] = {
    "office": "98",
    "hospital_outpatient": "50",
    "home": "42",
}
DEPENDENT_RELATIONS = frozenset({"spouse", "child", "other"})


@dataclass(frozen=True)
class Inquiry:
    """One eligibility question about one coverage on one day.

    ``subscriber`` is the policy holder as the payer knows them; ``dependent`` the patient
    when they are not the subscriber (then ``relationship`` is spouse, child or other).
    ``trace_number`` comes back in the 271's TRN (2000C/2000D) so the answer is matched
    to its question; ``originator`` is the 9-character identifier in TRN03 after the ``9``.
    """

    sender: Party
    receiver: Party
    control_number: int
    created_at: dt.datetime
    payer_name: str
    payer_id: str
    provider_name: str
    provider_npi: str
    subscriber: Person
    member_id: str
    on_date: dt.date
    trace_number: str
    originator: str
    service_types: tuple[str, ...] = ("30",)
    relationship: str = "self"
    dependent: Person | None = None
    production: bool = False


def service_types_for(setting: str, *, chemotherapy: bool = False) -> tuple[str, ...]:
    """30 (every plan answers it), the setting's own type, and 78 for chemotherapy."""
    types = ["30"]
    if setting in SETTING_SERVICE_TYPE:
        types.append(SETTING_SERVICE_TYPE[setting])
    if chemotherapy:
        types.append("78")
    return tuple(types)


def build_270(inquiry: Inquiry) -> str:
    """The 270 interchange as text, one segment a line.

    Raises ValueError for what cannot be asked at all: no payer id or member id, an NPI
    that fails its check digit, a control number out of range, a naive timestamp, a
    dependent without a relationship (or the reverse), an unknown service type.
    """
    _check(inquiry)
    stamp = inquiry.created_at
    number = f"{inquiry.control_number:09d}"
    body = [
        _seg("ST", "270", "0001", VERSION),
        _seg(
            "BHT",
            "0022",
            "13",
            _text(inquiry.trace_number),
            stamp.strftime("%Y%m%d"),
            stamp.strftime("%H%M"),
        ),
        *_parties(inquiry),
        *_people(inquiry),
    ]
    body.append(_seg("SE", str(len(body) + 1), "0001"))
    return (
        "\n".join(
            [
                _isa_segment(inquiry.sender, inquiry.receiver, stamp, number, inquiry.production),
                _seg(
                    "GS",
                    "HS",
                    _text(inquiry.sender.identifier),
                    _text(inquiry.receiver.identifier),
                    stamp.strftime("%Y%m%d"),
                    stamp.strftime("%H%M"),
                    str(inquiry.control_number),
                    "X",
                    VERSION,
                ),
                *body,
                _seg("GE", "1", str(inquiry.control_number)),
                _seg("IEA", "1", number),
            ]
        )
        + "\n"
    )


def _check(inquiry: Inquiry) -> None:
    if not 1 <= inquiry.control_number <= 999_999_999:
        raise ValueError("the interchange control number must be 1 to 999999999")
    if inquiry.created_at.utcoffset() is None:
        raise ValueError("created_at must be timezone-aware")
    if not _text(inquiry.payer_id):
        raise ValueError("the payer has no electronic payer ID (NM109 of loop 2100A)")
    if not _text(inquiry.member_id):
        raise ValueError("the coverage has no member ID (NM109 of loop 2100C)")
    if not is_valid_npi(inquiry.provider_npi):
        raise ValueError("the billing provider's NPI is missing or fails its check digit")
    if not 1 <= len(_text(inquiry.trace_number)) <= 50:
        raise ValueError("the trace number (TRN02) has 1 to 50 characters")
    if len(_text(inquiry.originator)) != 9:
        raise ValueError("the trace originator (TRN03 after the 9) has 9 characters")
    dependent = inquiry.relationship in DEPENDENT_RELATIONS
    if dependent != (inquiry.dependent is not None):
        raise ValueError(
            "a dependent is asked about exactly when the patient is not the subscriber"
        )
    unknown = [code for code in inquiry.service_types if code not in SERVICE_TYPES]
    if unknown or not inquiry.service_types:
        raise ValueError(f"unknown service type codes: {unknown or 'none given'}")


def _parties(inquiry: Inquiry) -> list[str]:
    return [
        _seg("HL", "1", "", "20", "1"),
        _seg("NM1", "PR", "2", _text(inquiry.payer_name)[:60], "", "", "", "", "PI",
             _text(inquiry.payer_id)[:80]),
        _seg("HL", "2", "1", "21", "1"),
        _seg("NM1", "1P", "2", _text(inquiry.provider_name)[:60], "", "", "", "", "XX",
             inquiry.provider_npi),
    ]  # fmt: skip


def _people(inquiry: Inquiry) -> list[str]:
    dependent = inquiry.dependent
    trace = _seg("TRN", "1", _text(inquiry.trace_number), "9" + _text(inquiry.originator))
    subscriber = [
        _seg("HL", "3", "2", "22", "1" if dependent else "0"),
        *([] if dependent else [trace]),
        _name("IL", inquiry.subscriber, inquiry.member_id),
    ]
    if dependent is None:
        return subscriber + _about(inquiry.subscriber, inquiry)
    return [
        *subscriber,
        _seg("HL", "4", "3", "23", "0"),
        trace,
        _name("03", dependent, ""),
        *_about(dependent, inquiry),
    ]


def _name(qualifier: str, person: Person, member_id: str) -> str:
    ids = ("MI", _text(member_id)[:80]) if member_id else ()
    return _seg(
        "NM1",
        qualifier,
        "1",
        _text(person.last_name)[:60],
        _text(person.first_name)[:35],
        _text(person.middle_name)[:25],
        "",
        "",
        *ids,
    )


def _about(person: Person, inquiry: Inquiry) -> list[str]:
    """DMG (when the birth date is known), DTP*291 and one EQ per service type."""
    segments = []
    if person.date_of_birth is not None:
        sex = person.sex if person.sex in {"F", "M"} else ""
        segments.append(_seg("DMG", "D8", person.date_of_birth.strftime("%Y%m%d"), sex))
    segments.append(_seg("DTP", "291", "D8", inquiry.on_date.strftime("%Y%m%d")))
    segments += [_seg("EQ", code) for code in inquiry.service_types]
    return segments


# --- the structural check (what pyx12 cannot check without a 005010X279A1 map) --------

# The segments a 270 may hold at each hierarchical level, in TR3 order (2.4 "270 transaction
# set listing"); a segment may not come back to an earlier position within its level.
_LEVEL_ORDER: dict[str, tuple[str, ...]] = {
    "20": ("HL", "NM1"),
    "21": ("HL", "NM1", "REF", "N3", "N4", "PRV"),
    "22": ("HL", "TRN", "NM1", "REF", "N3", "N4", "PRV", "DMG", "INS", "HI", "DTP", "EQ"),
    "23": ("HL", "TRN", "NM1", "REF", "N3", "N4", "PRV", "DMG", "INS", "HI", "DTP", "EQ"),
}
_ENTITY = {"20": "PR", "21": "1P", "22": "IL", "23": "03"}
_PARENT = {"20": "", "21": "20", "22": "21", "23": "22"}
# Repeating inside a 2110 loop: EQ may be followed by AMT, III, REF, DTP, then another EQ.
_INQUIRY_SEGMENTS = frozenset({"EQ", "AMT", "III", "REF", "DTP"})


@dataclass
class _Walk:
    problems: list[X12Problem]
    level: str = ""
    position: int = 0
    in_inquiry: bool = False
    levels: dict[str, str] | None = None
    seen: set[str] | None = None


def validate_270(text: str) -> list[X12Problem]:
    """Every structural problem of a 270 against 005010X279A1; empty when it is sound.

    Checks the envelope (pyx12's reader: matching control numbers, SE/GE/IEA counts), then
    GS01 ``HS``, GS08/ST03 version, BHT, the HL hierarchy (20 → 21 → 22 → 23, each parent
    the previous level, HL04 saying whether a child follows), each level's segments in TR3
    order with its NM1 entity (PR, 1P, IL, 03) and the required NM108/NM109 ids, a DMG
    date, DTP*291, and at least one EQ with a known service type at the patient's level.
    """
    segments, problems = read_segments(text)
    if not segments:
        return problems or [X12Problem("ISA", 1, "empty", "No segments.")]
    walk = _Walk(problems=problems, levels={}, seen=set())
    for seg_id, elements, line in segments:
        _check_segment(walk, seg_id, elements, line)
    assert walk.levels is not None and walk.seen is not None
    for code in ("20", "21", "22"):
        if code not in walk.levels.values():
            problems.append(X12Problem("HL", None, "missing_loop", f"No HL level {code} loop."))
    if "EQ" not in walk.seen:
        problems.append(X12Problem("EQ", None, "missing", "No EQ eligibility inquiry segment."))
    return problems


def read_segments(text: str) -> tuple[list[tuple[str, list[str], int]], list[X12Problem]]:
    """The segments (id, elements, line) and pyx12's envelope errors (control numbers and
    counts of ST/SE, GS/GE, ISA/IEA)."""
    if not isinstance(text, str) or not text.lstrip().startswith("ISA"):
        return [], [X12Problem("ISA", 1, "not_x12", "The file does not start with an ISA segment.")]
    found: list[tuple[str, list[str], int]] = []
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        with reader:
            for seg in reader:
                line = reader.get_cur_line()
                elements = [seg.get_value(f"{seg.get_seg_id()}{i:02d}") or "" for i in
                            range(1, seg.__len__() + 1)]  # fmt: skip
                found.append((seg.get_seg_id() or "", [e.strip() for e in elements], line))
            errors = reader.pop_errors()
    except (pyx12.errors.X12Error, pyx12.errors.EngineError, IndexError) as exc:
        return [], [X12Problem("ISA", 1, "engine", f"Not a readable X12 file: {exc}")]
    problems = [
        X12Problem(_ENVELOPE.get(kind, kind.upper()), _line(line), "envelope", str(message))
        for kind, line, message, *_rest in errors
    ]
    return found, problems


_ENVELOPE = {"isa": "ISA", "gs": "GS", "st": "ST"}


def _line(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _problem(walk: _Walk, seg: str, line: int, message: str, code: str = "structure") -> None:
    walk.problems.append(X12Problem(seg, line, code, message))


def _check_segment(walk: _Walk, seg_id: str, el: Sequence[str], line: int) -> None:
    assert walk.levels is not None and walk.seen is not None
    walk.seen.add(seg_id)
    value = _element(el)
    if seg_id == "GS":
        if value(1) != "HS":
            _problem(walk, "GS01", line, "A 270 travels in a functional group with GS01 HS.")
        if value(8) != VERSION:
            _problem(walk, "GS08", line, f"The version must be {VERSION}.")
    elif seg_id == "ST":
        if value(1) != "270" or value(3) != VERSION:
            _problem(walk, "ST", line, f"ST01 must be 270 and ST03 {VERSION}.")
    elif seg_id == "BHT":
        if value(1) != "0022" or value(2) not in {"01", "13", "36"} or not value(3):
            _problem(walk, "BHT", line, "BHT needs 0022, purpose 13 (or 01/36) and a reference.")
        _check_date(walk, "BHT04", value(4), line)
    elif seg_id == "HL":
        _check_hl(walk, el, line)
    elif seg_id in {"ISA", "IEA", "GE", "SE"}:
        return
    elif not walk.level:
        _problem(walk, seg_id, line, f"{seg_id} comes before the first HL.")
    else:
        _check_in_level(walk, seg_id, el, line)


def _at(el: Sequence[str], position: int) -> str:
    return el[position - 1] if len(el) >= position else ""


def _element(el: Sequence[str]) -> Callable[[int], str]:
    return partial(_at, el)


def _check_hl(walk: _Walk, el: Sequence[str], line: int) -> None:
    assert walk.levels is not None
    value = _element(el)
    number, parent, code, child = value(1), value(2), value(3), value(4)
    if code not in _ENTITY:
        _problem(walk, "HL03", line, f"Unknown hierarchical level code {code!r}.")
        return
    expected_parent = _PARENT[code]
    if expected_parent and walk.levels.get(parent) != expected_parent:
        _problem(walk, "HL02", line, f"Level {code} must have a level {expected_parent} parent.")
    if not expected_parent and parent:
        _problem(walk, "HL02", line, "The information source has no parent.")
    if number in walk.levels or not number.isdigit():
        _problem(walk, "HL01", line, f"HL01 {number!r} is not a new hierarchical id.")
    if child not in {"0", "1"}:
        _problem(walk, "HL04", line, "HL04 says 0 (no child level) or 1.")
    walk.levels[number] = code
    walk.level = code
    walk.position = 0
    walk.in_inquiry = False


def _check_in_level(walk: _Walk, seg_id: str, el: Sequence[str], line: int) -> None:
    order = _LEVEL_ORDER[walk.level]
    if walk.in_inquiry:
        if seg_id not in _INQUIRY_SEGMENTS:
            _problem(walk, seg_id, line, f"{seg_id} cannot follow an EQ loop.")
        _check_fields(walk, seg_id, el, line)
        return
    if seg_id not in order:
        _problem(walk, seg_id, line, f"{seg_id} has no place in the level {walk.level} loop.")
        return
    position = order.index(seg_id)
    if position < walk.position:
        _problem(walk, seg_id, line, f"{seg_id} is out of order in the level {walk.level} loop.")
    walk.position = position
    walk.in_inquiry = seg_id == "EQ"
    _check_fields(walk, seg_id, el, line)


def _check_fields(walk: _Walk, seg_id: str, el: Sequence[str], line: int) -> None:
    value = _element(el)
    if seg_id == "NM1":
        _check_name(walk, value, line)
    elif seg_id == "TRN":
        originator = value(3)
        if value(1) != "1" or not value(2) or len(originator) != 10:
            _problem(walk, "TRN", line, "TRN*1 needs a trace number and a 10-character TRN03.")
    elif seg_id == "DMG":
        if value(1) != "D8":
            _problem(walk, "DMG01", line, "The birth date is given as D8 (CCYYMMDD).")
        _check_date(walk, "DMG02", value(2), line)
    elif seg_id == "DTP":
        if value(1) not in {"291", "307", "435", "472"}:
            _problem(walk, "DTP01", line, "Unknown date qualifier for a 270.")
        if value(2) == "D8":
            _check_date(walk, "DTP03", value(3), line)
    elif seg_id == "EQ":
        codes = [c for c in value(1).split("^") if c]
        if not codes or any(c not in SERVICE_TYPES and len(c) > 2 for c in codes):
            _problem(walk, "EQ01", line, "EQ01 needs service type codes (X12 list 1365).")


def _check_name(walk: _Walk, value: Callable[[int], str], line: int) -> None:
    entity = _ENTITY[walk.level]
    if value(1) != entity:
        _problem(walk, "NM101", line, f"The level {walk.level} name is NM1*{entity}.")
    if not value(3):
        _problem(walk, "NM103", line, "The name (NM103) is required.")
    qualifier = {"PR": {"PI", "XV"}, "1P": {"XX", "SV", "PI"}, "IL": {"MI", "II"}}
    if entity in qualifier and (value(8) not in qualifier[entity] or not value(9)):
        _problem(walk, "NM108", line, f"NM1*{entity} needs its id qualifier and id.")


def _check_date(walk: _Walk, where: str, text: str, line: int) -> None:
    try:
        dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        ok = len(text) == 8
    except ValueError:
        ok = False
    if not ok:
        _problem(walk, where, line, f"{where} {text!r} is not a CCYYMMDD date.")


def trace_originator(identifier: str) -> str:
    """A 9-character TRN03 identifier (after the leading 9) from an NPI or tax id."""
    digits = _digits(identifier)
    if len(digits) < 9:
        raise ValueError("the trace originator needs at least 9 digits (an NPI or a tax ID)")
    return digits[-9:]
