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

from django.http import HttpRequest, HttpResponse, QueryDict
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
    url_name: str,
    filename: str,
    title: str,
    columns: Sequence[tuple[str, Getter]],
    *,
    table: str = "",
) -> Export:
    """Register a list page's CSV columns (``(header, row -> value)``) under its URL name;
    a page with a second list registers it with ``table`` (asked for as ``?table=…``)."""
    export = Export(url_name, filename, title, tuple(columns))
    EXPORTS[f"{url_name}#{table}" if table else url_name] = export
    return export


def _changes(event: AuditEvent) -> str:
    def shown(value: Any) -> str:
        return "(empty)" if value in (None, "") else str(value)

    pairs = (event.changes or {}).items()
    return "; ".join(f"{field}: {shown(pair[0])} -> {shown(pair[1])}" for field, pair in pairs)


def audit_time(at: dt.datetime) -> str:
    """An audit time to the second with its zone, in the active (the site's) time zone."""
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S %Z")


# The audit trail's columns (the organization's trail, and one patient's). The views export
# them under ``timezone.override`` of the site's zone, the zone the page shows.
AUDIT_EVENT_COLUMNS: list[tuple[str, Getter]] = [
    ("at", lambda e: audit_time(e.at)),
    ("user", lambda e: e.username),
    ("ip_address", lambda e: e.ip_address),
    ("action", lambda e: e.get_action_display()),
    ("record_type", lambda e: e.object_type),
    ("record", lambda e: e.object_repr),
    ("changes", _changes),
    ("reason", lambda e: e.reason),
]


def wants_csv(request: HttpRequest, table: str = "") -> bool:
    """Whether the request asks for the page's CSV (of its second list ``table``, if named)."""
    return request.GET.get("format") == CSV and request.GET.get("table", "") == table


def page_filters(request: HttpRequest) -> QueryDict | None:
    """The page's filters: its query without ``format`` and the page number (None when
    nothing else is left), for a filter form bound to the query, so that the export reads
    the filters exactly as the page does."""
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    query.pop("table", None)
    return query or None


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
