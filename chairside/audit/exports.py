"""CSV export of a list page: the rows the page shows, with the page's filters, every page of
the list (not only the one on screen).

A list view answers ``?format=csv`` (the "Export CSV" link of ``{% export_csv_link %}``,
which keeps the page's query and drops its page number) by handing the same rows it would
paginate, and its column list, to :func:`csv_response`. The view keeps its permission
decorator, so the export is refused exactly where the page is. Every cell goes through
``rules.interop.csv_safe`` (formula injection), and every export is audited as an export with its
row count; the patients it names land in the access report (``audit.reads``).

Each page registers its columns once with :func:`export_columns`, so a test can walk the URL
list and check that every list page exports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, client_ip
from chairside.rules.interop.csv_safe import to_csv

# A page's export is capped: past this many rows, narrow the filters (the audit row says how
# many were written). Far above any center's list; it keeps one request bounded.
MAX_ROWS = 50_000
CSV = "csv"

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class Export:
    """One list page's CSV: its URL name, file name, title for the audit, and columns."""

    url_name: str
    filename: str
    title: str
    columns: tuple[tuple[str, Getter], ...]

    @property
    def header(self) -> list[str]:
        return [name for name, _ in self.columns]


EXPORTS: dict[str, Export] = {}


def export_columns(
    url_name: str, filename: str, title: str, columns: Sequence[tuple[str, Getter]]
) -> Export:
    """Register a list page's CSV columns (``(header, row -> value)``) under its URL name."""
    export = Export(url_name, filename, title, tuple(columns))
    EXPORTS[url_name] = export
    return export


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == CSV


def cell(value: Any) -> Any:
    """A value as a spreadsheet reads it: local times, ISO dates, yes/no, blank for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value if isinstance(value, int | float) else str(value)


def csv_response(request: HttpRequest, export: Export, rows: Iterable[Any]) -> HttpResponse:
    """The page's rows as a CSV download, audited as an export of ``export.title``."""
    body: list[list[Any]] = [export.header]
    for count, row in enumerate(rows):
        if count >= MAX_ROWS:
            break
        body.append([cell(getter(row)) for _, getter in export.columns])
    audit_record(
        action=AuditEvent.Action.EXPORT,
        user=request.user,
        organization=getattr(request, "organization", None),
        changes={"rows": [None, len(body) - 1]},
        reason=f"{export.title} (CSV)",
        ip_address=client_ip(request),
    )
    response = HttpResponse(to_csv(body), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
