"""HL7 v2 text: escaping, timestamps and segment assembly shared by the ACK and SIU builders.

Source: HL7 Version 2.5.1, chapter 2 (Control), section 2.7 "Use of escape sequences in
text fields": the field (|), component (^), repetition (~), escape (\\) and subcomponent (&)
separators inside data are sent as \\F\\, \\S\\, \\R\\, \\E\\ and \\T\\. Segments end with a
carriage return (2.5.4). Timestamps (DTM, 2.A.22) are YYYYMMDDHHMMSS with an optional
+/-ZZZZ offset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

FIELD_SEP = "|"
ENCODING = "^~\\&"
SEGMENT_END = "\r"

_ESCAPES = (
    ("\\", "\\E\\"),  # first: the escape character itself
    ("|", "\\F\\"),
    ("^", "\\S\\"),
    ("~", "\\R\\"),
    ("&", "\\T\\"),
)


def escape(value: object) -> str:
    """``value`` as text safe inside one HL7 component (separators escaped, no line breaks)."""
    text = "" if value is None else str(value)
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text.replace("\r", " ").replace("\n", " ")


def timestamp(moment: dt.datetime) -> str:
    """An aware datetime as HL7 DTM with its UTC offset (``20261207093000-0500``)."""
    if moment.tzinfo is None:
        raise ValueError("HL7 timestamps need an aware datetime (with its time zone).")
    return moment.strftime("%Y%m%d%H%M%S%z")


def component(*parts: object) -> str:
    """Components joined by ``^`` with trailing empty ones dropped; each part escaped."""
    items = [escape(p) for p in parts]
    while items and not items[-1]:
        items.pop()
    return "^".join(items)


def segment(name: str, fields: Sequence[str]) -> str:
    """One segment: ``NAME|f1|f2…`` with trailing empty fields dropped (already escaped)."""
    items = list(fields)
    while items and not items[-1]:
        items.pop()
    return FIELD_SEP.join([name, *items])


def msh(
    *,
    sending_application: str,
    sending_facility: str,
    receiving_application: str,
    receiving_facility: str,
    at: dt.datetime,
    message_type: str,
    control_id: str,
    processing_id: str = "P",
    version: str = "2.5.1",
) -> str:
    """The MSH segment. MSH-1 is the field separator itself and MSH-2 the encoding characters,
    so the segment starts ``MSH|^~\\&|`` (2.15.9)."""
    fields = [
        ENCODING,
        escape(sending_application),
        escape(sending_facility),
        escape(receiving_application),
        escape(receiving_facility),
        timestamp(at),
        "",
        message_type,  # already composed (ADT^A04^ADT_A01): separators are meant
        escape(control_id),
        escape(processing_id),
        escape(version),
    ]
    return segment("MSH", fields)


def message(segments: Sequence[str]) -> str:
    """Segments joined by carriage returns, with the closing one."""
    return SEGMENT_END.join(segments) + SEGMENT_END
