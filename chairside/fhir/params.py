"""FHIR search parameters: parsed strictly, so a client learns at once (400, with the
parameter named) that a search it sent is not supported, instead of getting every row."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from django.http import QueryDict

from chairside.api.params import MAX_OFFSET
from chairside.core.dates import OUT_OF_RANGE, in_range

DEFAULT_COUNT = 20
MAX_COUNT = 100
PAGING = ("_count", "_offset")
_DATE = re.compile(r"^(eq|ne|gt|lt|ge|le)?(\d{4}-\d{2}-\d{2})$")


class SearchError(ValueError):
    """A search the server does not understand: answered 400 with this message."""


@dataclass(frozen=True)
class DateBound:
    op: str  # eq, gt, lt, ge, le
    day: dt.date


@dataclass
class Search:
    values: dict[str, list[str]] = field(default_factory=dict)
    count: int = DEFAULT_COUNT
    offset: int = 0

    def one(self, name: str) -> str | None:
        found = self.values.get(name)
        if not found:
            return None
        if len(found) > 1:
            raise SearchError(f"{name}: give it once.")
        return found[0]

    def dates(self, name: str = "date") -> list[DateBound]:
        return [parse_date(name, v) for v in self.values.get(name, [])]


def parse(query: QueryDict, allowed: tuple[str, ...]) -> Search:
    values: dict[str, list[str]] = {}
    for name in query:
        if name in PAGING or name == "_format":
            continue
        if name not in allowed:
            supported = ", ".join(allowed) or "none"
            raise SearchError(
                f"Search parameter '{name}' is not supported here (supported: {supported})."
            )
        values[name] = [v.strip() for v in query.getlist(name) if v.strip()]
        if not values[name]:
            raise SearchError(f"{name}: give a value.")
    return Search(
        values=values,
        count=_int(query.get("_count"), "_count", DEFAULT_COUNT, 1, MAX_COUNT),
        offset=_int(query.get("_offset"), "_offset", 0, 0, MAX_OFFSET),
    )


def _int(text: str | None, name: str, default: int, low: int, high: int) -> int:
    if text is None or text == "":
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise SearchError(f"{name}: a whole number from {low} to {high}.")
    return int(text)


def parse_date(name: str, text: str) -> DateBound:
    match = _DATE.match(text)
    if match is None:
        raise SearchError(f"{name}: a date as YYYY-MM-DD, optionally after ge, le, gt, lt or eq.")
    op, raw = match.group(1) or "eq", match.group(2)
    if op == "ne":
        raise SearchError(f"{name}: the 'ne' prefix is not supported.")
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise SearchError(f"{name}: {raw} is not a calendar date.") from None
    if not in_range(day):
        raise SearchError(f"{name}: {OUT_OF_RANGE}")
    return DateBound(op, day)


def resource_id(text: str, kind: str = "Patient") -> uuid.UUID:
    """``Patient/<id>`` or ``<id>`` → the public id; anything else is a 400."""
    raw = text.split("/", 1)[1] if text.startswith(f"{kind}/") else text
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise SearchError(f"{text} is not a {kind} id of this server.") from None


def token(text: str) -> tuple[str | None, str]:
    """A token parameter: ``system|code`` or ``code``."""
    if "|" in text:
        system, code = text.split("|", 1)
        return system, code
    return None, text
