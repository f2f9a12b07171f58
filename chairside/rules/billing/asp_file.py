"""The CMS quarterly ASP pricing file ("Payment Allowance Limits for Medicare Part B Drugs").

CMS publishes it each quarter at https://www.cms.gov/medicare/payment/part-b-drugs/asp-pricing-files
as a ZIP holding a CSV ("section 508 version"). The CSV starts with a few title and note
lines — "Payment Allowance Limits for Medicare Part B Drugs", "Effective <date> through
<date>", notes — and then the table, whose header row begins
``HCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit`` followed (in recent
quarters) by ``Co-insurance Percentage``, ``Vaccine AWP%``, ``Vaccine Limit``,
``Blood AWP%``, ``Blood Limit``, ``Clotting Factor`` and ``Notes``. The payment limit is per
HCPCS billing unit (the "HCPCS Code Dosage", e.g. "10 MG") and is 106% of ASP for most
drugs (42 CFR 414.904). CMS ships the file in Windows-1252.

Rows without a payment limit (codes CMS prices elsewhere, "see note") are skipped, never
filled in. Columns are found by their header names, so the optional columns may come and go.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_CODE = re.compile(r"^(?:[A-Z][0-9]{4}|[0-9]{5})$")
_EFFECTIVE = re.compile(
    r"effective\s+([A-Za-z]+\s+\d{1,2},\s*\d{4})\s+(?:through|to|-)\s+([A-Za-z]+\s+\d{1,2},\s*\d{4})",
    re.IGNORECASE,
)
REQUIRED = ("HCPCS Code", "Payment Limit")


@dataclass(frozen=True)
class AspRow:
    hcpcs: str
    short_description: str
    dosage: str
    payment_limit: Decimal
    coinsurance_percent: Decimal | None = None
    notes: str = ""


@dataclass(frozen=True)
class AspFile:
    """The table of one quarter's file, what came before it, and what was skipped."""

    title: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    rows: tuple[AspRow, ...]
    skipped: tuple[tuple[int, str], ...]
    is_demo: bool


def decode_asp_bytes(data: bytes) -> str:
    """Decode an uploaded file: UTF-8 (with or without BOM), else Windows-1252 as CMS ships it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def parse_asp_csv(text: str) -> AspFile:
    """Read the ASP pricing CSV. Raises ValueError (with the line) for a file that is not one.

    A row with an empty payment limit is skipped with its reason; a payment limit that is
    not a number, a negative one, or a HCPCS code listed twice is an error.
    """
    rows = list(csv.reader(io.StringIO(text)))
    header_at = next(
        (i for i, row in enumerate(rows) if row and row[0].strip().lower() == "hcpcs code"), None
    )
    if header_at is None:
        raise ValueError(
            "No table header found: the ASP file's header row starts with 'HCPCS Code, Short "
            "Description, HCPCS Code Dosage, Payment Limit'."
        )
    columns = {name.strip().lower(): i for i, name in enumerate(rows[header_at]) if name.strip()}
    missing = [name for name in REQUIRED if name.lower() not in columns]
    if missing:
        raise ValueError(f"The header row (line {header_at + 1}) lacks {', '.join(missing)}.")
    preamble = [" ".join(c.strip() for c in row if c.strip()) for row in rows[:header_at]]
    preamble = [line for line in preamble if line]
    found, skipped = _table(rows, header_at, columns)
    effective = _EFFECTIVE.search(" ".join(preamble))
    return AspFile(
        title=preamble[0] if preamble else "",
        effective_from=_us_date(effective.group(1)) if effective else None,
        effective_to=_us_date(effective.group(2)) if effective else None,
        rows=tuple(found),
        skipped=tuple(skipped),
        is_demo=any("demo" in line.lower() for line in preamble),
    )


def _table(
    rows: list[list[str]], header_at: int, columns: dict[str, int]
) -> tuple[list[AspRow], list[tuple[int, str]]]:
    found: list[AspRow] = []
    skipped: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index in range(header_at + 1, len(rows)):
        row, line = rows[index], index + 1
        code = _cell(row, columns, "hcpcs code").upper()
        if not code:
            continue
        if not _CODE.match(code):
            raise ValueError(f"Line {line}: {code!r} is not a HCPCS code.")
        limit_text = _cell(row, columns, "payment limit").replace("$", "").replace(",", "")
        if not limit_text:
            skipped.append((line, f"{code}: no payment limit"))
            continue
        limit = _decimal(limit_text, line, "payment limit")
        if limit < 0:
            raise ValueError(f"Line {line}: the payment limit {limit_text} is negative.")
        if code in seen:
            raise ValueError(f"Line {line}: {code} is listed twice.")
        seen.add(code)
        coinsurance = _cell(row, columns, "co-insurance percentage")
        found.append(
            AspRow(
                hcpcs=code,
                short_description=_cell(row, columns, "short description"),
                dosage=_cell(row, columns, "hcpcs code dosage"),
                payment_limit=limit,
                coinsurance_percent=_decimal(coinsurance, line, "co-insurance percentage")
                if coinsurance
                else None,
                notes=_cell(row, columns, "notes"),
            )
        )
    return found, skipped


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _decimal(text: str, line: int, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"Line {line}: the {what} {text!r} is not a number.") from None
    if not value.is_finite():
        raise ValueError(f"Line {line}: the {what} {text!r} is not a number.")
    return value


def _us_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(" ".join(text.replace(",", ", ").split()), "%B %d, %Y").date()  # noqa: DTZ007
    except ValueError:
        return None
