"""CSV that a spreadsheet opens without running anything ("CSV Injection", formula injection).

OWASP, "CSV Injection" (owasp.org/www-community/attacks/CSV_Injection): a cell that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be evaluated as a formula by
Excel, LibreOffice or Google Sheets (e.g. ``=HYPERLINK(...)`` sending the sheet's data away).
The advised defence is to prefix such a cell with a single quote, which the spreadsheet shows
as text. Every CSV export goes through :func:`to_csv` (a test checks that no other module
builds a ``csv.writer``).

A plain signed number such as ``-12.50`` is left alone: it cannot be a formula, and quoting it
would turn a negative amount into text that no longer adds up.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def escape_cell(value: Any) -> Any:
    """Return ``value`` with a leading ``'`` if it is text a spreadsheet would run."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_LEADS):
        return value
    if _SIGNED_NUMBER.fullmatch(value):
        return value
    return "'" + value


def to_csv(rows: Iterable[Iterable[Any]]) -> str:
    """Write ``rows`` as CSV text with every cell escaped by :func:`escape_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return out.getvalue()
