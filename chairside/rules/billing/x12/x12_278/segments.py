"""Splitting any 278 into segments by its own ISA delimiters; dates (D8/RD8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chairside.rules.billing.x12.x12_278.codes import Review278Error

# --- reading any 278 ------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    seg_id: str
    elements: tuple[str, ...]
    position: int

    def get(self, index: int) -> str:
        """Element ``index`` (1-based, as the TR3 numbers them); empty when absent."""
        return self.elements[index - 1].strip() if 0 < index <= len(self.elements) else ""


def split_segments(text: str) -> tuple[list[Segment], str]:
    """The segments of an interchange and its component separator, from the ISA's own
    delimiters (ISA is fixed-width: element separator at 4th character, component
    separator at the 105th, segment terminator at the 106th)."""
    if not isinstance(text, str):
        raise Review278Error("ISA", 1, "The file is not text.")
    body = text.lstrip("\ufeff \r\n\t")
    if not body.startswith("ISA") or len(body) < 106:
        raise Review278Error("ISA", 1, "The file does not start with an ISA segment.")
    element, component, terminator = body[3], body[104], body[105]
    if len({element, component, terminator}) != 3 or terminator.isalnum():
        raise Review278Error("ISA", 1, "The ISA delimiters are not valid.")
    segments: list[Segment] = []
    for raw in body.split(terminator):
        cleaned = raw.strip("\r\n\t ")
        if not cleaned:
            continue
        parts = cleaned.split(element)
        segments.append(Segment(parts[0].upper(), tuple(parts[1:]), len(segments) + 1))
    return segments, component


_LEVELS = {
    "20": "payer",
    "21": "requester",
    "22": "subscriber",
    "23": "dependent",
    "EV": "patient event",
    "SS": "service",
}


def _date(text: str, seg: Segment) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        raise Review278Error(
            seg.seg_id, seg.position, f"'{text}' is not a CCYYMMDD date."
        ) from None


def _period(seg: Segment) -> tuple[dt.date, dt.date]:
    """A DTP's D8 date or RD8 range as (first, last)."""
    qualifier, value = seg.get(2), seg.get(3)
    if qualifier == "D8":
        day = _date(value, seg)
        return day, day
    if qualifier == "RD8" and "-" in value:
        first, _, last = value.partition("-")
        start, end = _date(first, seg), _date(last, seg)
        if end < start:
            raise Review278Error("DTP", seg.position, f"The range {value} ends before it starts.")
        return start, end
    raise Review278Error("DTP", seg.position, f"DTP02 must be D8 or RD8, not '{qualifier}'.")
