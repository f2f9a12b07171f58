"""Dashboard panels: each draws on one module's data (analytics sits at the end of the flow
and reads every earlier step).

A panel is a function ``(DashboardFilter) -> PanelView`` registered with the module whose
data it shows; it appears to the roles its permission allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from chairside.analytics import charts, not_given
from chairside.analytics import selectors as s
from chairside.rules.billing.margins import summarize
from chairside.rules.scheduling import appointment_states as states
from chairside.tenancy.roles import Perm


@dataclass
class PanelView:
    title: str
    stats: list[tuple[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    empty: str = ""  # the honest reason there is nothing to draw
    note: str = ""
    wide: bool = False
    key: str = ""
    heatmap: s.Heatmap | None = None
    height: int = 0  # the chart's height in pixels when the default would crowd its labels
    lazy: bool = False  # a placeholder: the page fetches the group's panels after it loads
    link: tuple[str, str] | None = None  # (label, url) of the list behind the figures


@dataclass(frozen=True)
class Panel:
    key: str
    module: str
    build: Callable[[s.DashboardFilter], PanelView]
    group: str = ""  # slow panels: built in a request of their own, by group
    perm: Perm | None = None  # beyond reports.view, e.g. billing figures for billing.view


# Groups of slow panels: the title their placeholder shows while they load.
LAZY_GROUPS = {"margins": "Revenue, drug cost and margin"}


PANELS: list[Panel] = []


def panel(
    key: str, module: str, group: str = "", perm: Perm | None = None
) -> Callable[[Callable[[s.DashboardFilter], PanelView]], Any]:
    def register(build: Callable[[s.DashboardFilter], PanelView]) -> Any:
        PANELS.append(Panel(key, module, build, group, perm))
        return build

    return register


def _week_label(monday: dt.date, f: s.DashboardFilter) -> str:
    """'Jun 01', or 'Jun 01 2025' when the range spans more than one year."""
    return f"{monday:%b %d %Y}" if f.span_days > 300 else f"{monday:%b %d}"


def _shown(p: Panel, allowed: Callable[[Perm], bool]) -> bool:
    return p.perm is None or allowed(p.perm)


def dashboard_panels(
    f: s.DashboardFilter, allowed: Callable[[Perm], bool] = lambda perm: True
) -> list[PanelView]:
    """Every installed module's panels the user may see; a slow group shows as one
    placeholder that the page replaces with :func:`group_panels` once it has loaded."""
    views = []
    placed = set()
    for p in PANELS:
        if not _shown(p, allowed):
            continue
        if p.group:
            if p.group not in placed:
                placed.add(p.group)
                views.append(PanelView(LAZY_GROUPS[p.group], key=p.group, lazy=True, wide=True))
            continue
        views.append(_build(p, f))
    return views


def group_panels(
    f: s.DashboardFilter, group: str, allowed: Callable[[Perm], bool] = lambda perm: True
) -> list[PanelView]:
    """The panels of one slow group (they share their queries through ``f.memo``)."""
    return [_build(p, f) for p in PANELS if p.group == group and _shown(p, allowed)]


def all_panels(
    f: s.DashboardFilter, allowed: Callable[[Perm], bool], key: str = ""
) -> list[PanelView]:
    """Every panel the user may see, the slow groups built too (the API's report);
    ``key`` picks one panel."""
    return [_build(p, f) for p in PANELS if (not key or p.key == key) and _shown(p, allowed)]


def _build(p: Panel, f: s.DashboardFilter) -> PanelView:
    view = p.build(f)
    view.key = p.key
    return view


@panel("patients", "chairside.patients")
def patients_panel(f: s.DashboardFilter) -> PanelView:
    weeks = s.new_patients_by_week(f)
    view = PanelView(
        "New patients per week",
        stats=[
            ("Active patients", s.active_patient_count(f)),
            ("Registered in range", sum(n for _, n in weeks)),
        ],
    )
    if weeks:
        view.chart = charts.bar(
            [_week_label(w, f) for w, _ in weeks], [("New patients", [n for _, n in weeks])]
        )
    else:
        view.empty = "No patient was registered in this date range."
    return view


@panel("payers", "chairside.patients")
def payer_panel(f: s.DashboardFilter) -> PanelView:
    mix = s.payer_mix(f)
    view = PanelView("Payer mix of active patients (primary coverage)")
    if mix:
        view.chart = charts.doughnut([k for k, _ in mix], [n for _, n in mix])
    else:
        view.empty = "No active patient has a primary coverage on file."
    return view


@panel("capacity", "chairside.tenancy")
def capacity_panel(f: s.DashboardFilter) -> PanelView:
    sites = s.site_capacity(f)
    view = PanelView(
        "Chair-hours open per week, by site",
        stats=[
            ("Chairs", sum(x.chairs for x in sites)),
            ("Chair-hours / week", f"{sum(x.chair_hours_per_week for x in sites):,.0f}"),
            ("Nurses on staff", sum(x.nurses for x in sites)),
        ],
    )
    if any(x.chair_hours_per_week for x in sites):
        view.chart = charts.bar(
            [x.location.name for x in sites],
            [("Chair-hours / week", [x.chair_hours_per_week for x in sites])],
            horizontal=True,
        )
    else:
        view.empty = "No site has both chairs and opening hours yet."
    return view


@panel("referrals", "chairside.access.referrals")
def referral_panel(f: s.DashboardFilter) -> PanelView:
    funnel = s.referral_funnel(f)
    days = s.referral_to_active_days(f)
    view = PanelView("Referral funnel (referrals received in range)", wide=True)
    median = days[len(days) // 2] if days else None
    view.stats = [
        ("Referrals received", funnel[0][1]),
        ("Median days, referral to first infusion", median if median is not None else "—"),
    ]
    if funnel[0][1]:
        view.chart = charts.bar(
            [k for k, _ in funnel], [("Referrals", [n for _, n in funnel])], horizontal=True
        )
        view.note = "Days to first infusion count the move to “Active (treating)”."
    else:
        view.empty = "No referral was received in this date range."
    return view


@panel("authorizations", "chairside.access.authorizations")
def authorization_panel(f: s.DashboardFilter) -> PanelView:
    pipeline = [(k, n) for k, n in s.authorization_pipeline(f) if n]
    view = PanelView(
        "Prior authorization pipeline (all, by status)",
        stats=[("Approvals ending within 30 days", s.approvals_expiring(f))],
    )
    if pipeline:
        view.chart = charts.bar(
            [k for k, _ in pipeline],
            [("Authorizations", [n for _, n in pipeline])],
            horizontal=True,
        )
    else:
        view.empty = "No prior authorization is on file."
    return view


@panel("treatments", "chairside.scheduling")
def treatments_panel(f: s.DashboardFilter) -> PanelView:
    days = s.completed_by_day(f)
    total = sum(n for _, n in days)
    worked = sum(1 for _, n in days if n)
    first_monday = f.start - dt.timedelta(days=f.start.weekday())
    per_week = [0] * ((f.end - first_monday).days // 7 + 1)
    for day, n in days:
        per_week[(day - first_monday).days // 7] += n
    weeks = {f"{first_monday + dt.timedelta(weeks=k):%b %d}": n for k, n in enumerate(per_week)}
    view = PanelView(
        "Treatments per week (completed appointments)",
        stats=[
            ("Treatments in range", total),
            ("Average per treating day", f"{total / worked:.1f}" if worked else "—"),
            ("Busiest day", max(n for _, n in days) if days else 0),
        ],
        note="Counted from completed appointments until documented visits feed this panel.",
    )
    if total:
        view.chart = charts.bar(list(weeks), [("Treatments", list(weeks.values()))])
    else:
        view.empty = "No appointment was completed in this date range."
    return view


@panel("outcomes", "chairside.scheduling")
def outcomes_panel(f: s.DashboardFilter) -> PanelView:

    outcomes = s.appointment_outcomes(f, timezone.now())
    came = sum(outcomes.get(k, 0) for k in (states.COMPLETED, states.IN_CHAIR, states.CHECKED_IN))
    no_show = outcomes.get(states.NO_SHOW, 0)
    cancelled = outcomes.get(states.CANCELLED, 0)
    booked = (
        came
        + no_show
        + cancelled
        + outcomes.get(states.BOOKED, 0)
        + outcomes.get(states.CONFIRMED, 0)
    )
    view = PanelView(
        "No-shows and cancellations (appointments due in range)",
        stats=[
            ("No-show rate", f"{no_show / (came + no_show):.1%}" if came + no_show else "—"),
            ("Cancellation rate", f"{cancelled / booked:.1%}" if booked else "—"),
            ("Rescheduled", outcomes.get(states.RESCHEDULED, 0)),
        ],
        note="No-show rate: no-shows among patients due who came or did not; cancellation "
        "rate: cancelled among all due (rescheduled bookings are counted apart).",
    )
    shown = [(states.APPOINTMENT.label(k), n) for k, n in sorted(outcomes.items()) if n]
    if shown:
        view.chart = charts.doughnut([k for k, _ in shown], [n for _, n in shown])
    else:
        view.empty = "No appointment was due in this date range."
    return view


@panel("heatmap", "chairside.scheduling")
def heatmap_panel(f: s.DashboardFilter) -> PanelView:
    heat = s.chair_heatmap(f)
    view = PanelView("Booked chair utilization by hour and weekday", wide=True)
    if heat is None:
        view.empty = "No site has chairs yet."
    elif not any(any(cells) for _, cells in heat.rows):
        view.empty = "No chair was booked in this date range."
    else:
        view.heatmap = heat
        view.note = "Share of every chair-hour booked, from booked through completed."
    return view


def _money(value: Decimal) -> str:
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"


def _margin_stats(f: s.DashboardFilter) -> tuple[list[Any], list[tuple[str, Any]], str]:

    rows = s.visit_margins(f)
    visits = [r.margin for r in rows]
    revenue = sum((v.revenue for v in visits), Decimal(0))
    margin = sum((v.margin for v in visits), Decimal(0))
    stats: list[tuple[str, Any]] = [
        ("Expected revenue", _money(revenue)),
        ("Drug cost", _money(sum((v.drug_cost for v in visits), Decimal(0)))),
        ("Margin", _money(margin)),
        ("Margin / revenue", f"{margin / revenue:.1%}" if revenue else "—"),
    ]
    estimated = sum(1 for r in rows if r.estimated_cost)
    unpriced = sum(1 for r in rows if not r.priced)
    note = (
        f"{len(rows)} billed visit{'s' if len(rows) != 1 else ''}: expected payment (payer and "
        "patient) less drug at acquisition cost, supplies and nurse time. "
    )
    if estimated:
        note += f"{estimated} drug cost{'s' if estimated != 1 else ''} estimated (no dispense "
        note += "recorded). "
    if unpriced:
        note += f"{unpriced} visit{'s' if unpriced != 1 else ''} with lines not yet priced. "
    unviable = [u for u in summarize(visits, lambda v: (v.drug, v.payer)) if u.unviable]
    if unviable:
        pairs = "; ".join(f"{u.key[0]} for {u.key[1]}" for u in unviable[:3])
        note += f"Paid below its acquisition cost: {pairs}."
    return rows, stats, note.strip()


def _margin_chart(f: s.DashboardFilter, by: str) -> PanelView:

    rows, stats, note = _margin_stats(f)
    label = "drug" if by == "drug" else "payer"
    view = PanelView(f"Revenue, drug cost and margin by {label}", wide=True)
    if by == "drug":
        view.stats, view.note = stats, note
    else:
        view.note = "The same visits as the panel by drug, by their primary payer."
    if not rows:
        view.empty = "No visit in this date range has a claim yet."
        return view
    groups = summarize(
        (r.margin for r in rows), (lambda v: (v.drug,)) if by == "drug" else (lambda v: (v.payer,))
    )
    groups.sort(key=lambda g: -g.revenue)
    # One bar a group, as long as its revenue: what the drug cost, what the chair cost
    # (supplies and nurse time), and what is left (a loss shows left of zero).
    view.chart = charts.bar(
        [_short(g.key[0]) for g in groups],
        [
            ("Drug cost", [g.drug_cost for g in groups]),
            ("Supplies and nurse time", [g.other_cost for g in groups]),
            ("Margin", [g.margin for g in groups]),
        ],
        horizontal=True,
        stacked=True,
        money=True,
    )
    view.height = max(260, 60 + 28 * len(groups))
    return view


def _short(label: str, length: int = 34) -> str:
    return label if len(label) <= length else label[: length - 1].rstrip(" ,(") + "…"


@panel("margin_drug", "chairside.billing", group="margins", perm=Perm.BILLING_VIEW)
def margin_by_drug_panel(f: s.DashboardFilter) -> PanelView:
    return _margin_chart(f, "drug")


@panel("margin_payer", "chairside.billing", group="margins", perm=Perm.BILLING_VIEW)
def margin_by_payer_panel(f: s.DashboardFilter) -> PanelView:
    return _margin_chart(f, "payer")


@panel("inventory", "chairside.inventory", perm=Perm.INVENTORY_VIEW)
def inventory_panel(f: s.DashboardFilter) -> PanelView:
    cash = s.inventory_cash(f, timezone.localdate())
    days = cash.days_on_hand
    view = PanelView(
        "Cash in drug inventory (stock at cost, end of each week)",
        stats=[
            (f"Stock at cost on {f.end:%b} {f.end.day}", _money(cash.closing_value)),
            ("Days on hand", f"{days:.0f}" if days is not None else "—"),
            ("Used a day (at cost)", _money(cash.daily_use)),
            (
                f"Unpaid vendor invoices ({cash.unpaid_count})",
                _money(cash.unpaid_invoices),
            ),
        ],
        note="Days on hand: stock at cost at the end of the range over the drug dispensed or "
        "wasted a day in the range. Patients' own (white-bag) drug is left out; unpaid "
        "invoices are for every site.",
    )
    if any(v for _, v in cash.weeks):
        view.chart = charts.line(
            [_week_label(d, f) for d, _ in cash.weeks],
            [("Stock at cost", [v for _, v in cash.weeks])],
            money=True,
        )
    else:
        view.empty = "No drug was in stock in this date range."
    return view


@panel("reports", "chairside.treatments")
def reports_panel(f: s.DashboardFilter) -> PanelView:
    timely = s.report_timeliness(f, timezone.now())
    share = timely.share_on_time
    hours = timely.hours_to_send
    median = hours[len(hours) // 2] if hours else None
    view = PanelView(
        "Treatment reports sent to the referring physician within 24 hours",
        stats=[
            ("Sent within 24 h", f"{share:.0%}" if share is not None else "—"),
            ("Late", timely.late),
            ("Not yet due", timely.waiting),
            ("Median hours to send", f"{median:.1f}" if median is not None else "—"),
        ],
        note="Reports of the visits in the range, counted from signing; late: sent after "
        "24 hours, or still unsent after them.",
    )
    weeks = [w for w in timely.weeks if w[1] or w[2] or w[3]]
    if weeks:
        view.chart = charts.bar(
            [_week_label(w[0], f) for w in weeks],
            [
                ("Within 24 h", [w[1] for w in weeks]),
                ("Late", [w[2] for w in weeks]),
                ("Not yet due", [w[3] for w in weeks]),
            ],
            stacked=True,
        )
    else:
        view.empty = "No visit in this date range has a treatment report."
    return view


@panel("prepared_not_given", "chairside.treatments")
def prepared_not_given_panel(f: s.DashboardFilter) -> PanelView:

    months = not_given.by_month(
        organization=f.organization, location=f.location, today=timezone.localdate()
    )
    doses = sum(n for _, n, _ in months)
    cost = sum((c for _, _, c in months), Decimal(0))
    view = PanelView(
        "Doses prepared and not given (last 12 months)",
        stats=[
            ("Doses", doses),
            ("Drug cost lost", _money(cost)),
            (f"In {months[-1][0]:%B}", months[-1][1]),
        ],
        note="Vials dispensed for a dose whose appointment was then cancelled or missed, or "
        "whose dose was held at the chair; cost: what the center paid for those vials. "
        "Always the last 12 months, whatever the date range.",
        link=("See each dose", reverse("analytics:prepared_not_given")),
    )
    if doses:
        view.chart = charts.bar(
            [f"{m:%b %Y}" for m, _, _ in months],
            [("Drug cost lost", [c for _, _, c in months])],
            money=True,
        )
    else:
        view.empty = "No prepared dose went ungiven in the last 12 months."
    return view
