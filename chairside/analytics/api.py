"""Reports API (``/api/v1/reports``): the dashboard's figures — patients, payer mix, chair
capacity and utilization, referrals, authorizations, treatments, no-shows, days of drug
inventory on hand, margins by drug and payer, visit reports, prepared-not-given — as the
analytics page computes them (``analytics.panels``), for the same filter (site, date range,
default the last 90 days) and the same permissions: ``reports.view``, and a panel's own
permission on top (margins need ``billing.view``, stock ``inventory.view``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import QueryDict
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from chairside.analytics import panels, selectors
from chairside.analytics.forms import DashboardFilterForm
from chairside.analytics.selectors import DashboardFilter
from chairside.api.auth import ApiRequest, require
from chairside.api.auth import active_organization as _org
from chairside.api.params import DateFrom, DateTo
from chairside.tenancy.roles import Perm, has_perm

router = Router(tags=["reports"])


class StatOut(Schema):
    label: str
    value: str  # as the dashboard shows it ("$12,400", "18.5%", "42")


class SeriesOut(Schema):
    name: str
    values: list[float | None]


class HeatRowOut(Schema):
    weekday: str
    utilization: list[float]  # share of chair-hours booked, 0-1, one per hour


class PanelOut(Schema):
    key: str
    title: str
    stats: list[StatOut]
    labels: list[str]  # the chart's categories (weeks, sites, payers…)
    series: list[SeriesOut]
    heatmap_hours: list[int]
    heatmap: list[HeatRowOut]
    note: str
    empty: str


class ReportOut(Schema):
    date_from: dt.date
    date_to: dt.date
    location_id: UUID | None
    panels: list[PanelOut]


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _panel(view: panels.PanelView) -> dict[str, Any]:
    data = (view.chart or {}).get("data", {})
    heat = view.heatmap
    return {
        "key": view.key,
        "title": view.title,
        "stats": [{"label": str(label), "value": str(value)} for label, value in view.stats],
        "labels": [str(label) for label in data.get("labels", [])],
        "series": [
            {"name": str(d.get("label", view.title)), "values": [_number(v) for v in d["data"]]}
            for d in data.get("datasets", [])
        ],
        "heatmap_hours": heat.hours if heat else [],
        "heatmap": [{"weekday": w, "utilization": cells} for w, cells in heat.rows] if heat else [],
        "note": view.note,
        "empty": view.empty,
    }


def _filter(request: ApiRequest, location: UUID | None, start: Any, end: Any) -> DashboardFilter:
    """The dashboard's own filter form, so the API refuses exactly what the page refuses."""
    data = QueryDict(mutable=True)
    org = _org(request)
    if location is not None:
        sites = selectors.locations(organization=org)
        place = sites.filter(public_id=location).first()
        if place is None:
            raise HttpError(404, "No such site.")
        data["location"] = str(place.pk)
    for name, value in (("start", start), ("end", end)):
        if value is not None:
            data[name] = value.isoformat()
    form = DashboardFilterForm(data, organization=org, today=timezone.localdate())
    if not form.is_valid():
        raise HttpError(400, " ".join(str(m) for msgs in form.errors.values() for m in msgs))
    clean = form.cleaned_data
    return DashboardFilter(org, clean["location"], clean["start"], clean["end"])


@router.get("", response=ReportOut)
def dashboard(
    request: ApiRequest,
    location: UUID | None = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    panel: str = "",
) -> Any:
    """Every dashboard panel the caller's role may see (``panel`` picks one by key)."""
    require(request, Perm.REPORTS_VIEW)
    f = _filter(request, location, date_from, date_to)
    role = request.membership.role
    if panel and not any(p.key == panel for p in panels.PANELS):
        raise HttpError(404, "No such panel.")
    views = panels.all_panels(f, lambda perm: has_perm(role, perm), key=panel)
    if panel and not views:
        raise HttpError(403, "Your role does not allow this panel.")
    return {
        "date_from": f.start,
        "date_to": f.end,
        "location_id": f.location.public_id if f.location else None,
        "panels": [_panel(v) for v in views],
    }
