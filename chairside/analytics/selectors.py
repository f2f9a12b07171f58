"""Read queries for the planner and the dashboards, always scoped to one organization.

Dashboard queries take a :class:`DashboardFilter` (organization, optional location, date
range). Queries on another module's models import that module inside the function, so this
file loads even when the module is not installed; ``panels.py`` only calls a query when its
module is installed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.referrals.models import Referral, ReferralStateChange
from chairside.analytics.models import ManagementFeeTerms, PlanScenario
from chairside.billing.models import Remittance
from chairside.billing.selectors.margins import visit_margins as billing_margins
from chairside.inventory.models import Movement
from chairside.inventory.selectors import payments_due
from chairside.patients.models import Coverage, Patient, Payer
from chairside.rules.access import authorization_states as auth
from chairside.rules.access import referral_states as rs
from chairside.rules.planning.planning import management_fee_owed
from chairside.rules.scheduling import appointment_states as states
from chairside.scheduling.models import Appointment
from chairside.tenancy.models import Location, Organization, StaffMember
from chairside.treatments.models import VisitReport
from chairside.treatments.models.report import DELIVERY_DEADLINE

NURSE_CREDENTIALS = ("RN", "LPN", "NP")


@dataclass(frozen=True)
class DashboardFilter:
    organization: Organization
    location: Location | None
    start: dt.date
    end: dt.date
    # Query results shared by several panels of one request (never across requests).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def span_days(self) -> int:
        return (self.end - self.start).days + 1


def scenarios(*, organization: Organization) -> QuerySet[PlanScenario]:
    return PlanScenario.objects.filter(organization=organization).select_related("created_by")


def access_scenario(*, organization: Organization, public_id: Any) -> PlanScenario:
    """The organization's scenario with this id, or 404 — never another organization's."""
    return get_object_or_404(PlanScenario, organization=organization, public_id=public_id)


def locations(*, organization: Organization) -> QuerySet[Location]:
    return Location.objects.filter(organization=organization, is_active=True)


def access_location(*, organization: Organization, public_id: Any) -> Location:
    return get_object_or_404(Location, organization=organization, public_id=public_id)


def fee_terms(*, client: Organization) -> ManagementFeeTerms | None:
    """The management fee terms of a client (reached through ``access_client``), if set."""
    return ManagementFeeTerms.objects.filter(client=client).first()


# --- Patients -------------------------------------------------------------------------


def _patients(f: DashboardFilter) -> QuerySet[Any]:
    patients = Patient.objects.filter(organization=f.organization)
    return patients.filter(home_location=f.location) if f.location else patients


def new_patients_by_week(f: DashboardFilter) -> list[tuple[dt.date, int]]:
    """Patients registered each week of the range (weeks start on Monday, local time)."""
    tz = timezone.get_current_timezone()
    monday = f.start - dt.timedelta(days=f.start.weekday())
    weeks = [monday + dt.timedelta(weeks=n) for n in range((f.end - monday).days // 7 + 1)]
    edges = [max(w, f.start) for w in weeks] + [f.end + dt.timedelta(days=1)]
    bounds = [dt.datetime.combine(day, dt.time.min, tzinfo=tz) for day in edges]
    counts = count_between(_patients(f), "created_at", bounds)
    return [(week, n) for week, n in zip(weeks, counts, strict=True) if n]


def count_between(queryset: QuerySet[Any], field: str, bounds: list[dt.datetime]) -> list[int]:
    """How many rows have ``field`` in each [bounds[i], bounds[i + 1]) (bounds ascending).

    Groups equal values in the database (bookings share start times: every chair at 8:00),
    then places each group against the bounds in UTC: exact in any time zone, and far
    faster than a per-row date function (which SQLite runs as Python) or reading each row.
    """
    rows = (
        queryset.filter(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[-1]})
        .order_by()
        .values_list(field)
        .annotate(n=Count("id"))
    )
    utc = [b.astimezone(dt.UTC) for b in bounds]
    naive = [b.replace(tzinfo=None) for b in utc]  # SQLite hands back naive UTC values
    counts = [0] * (len(bounds) - 1)
    for value, n in _raw_values(rows):
        edges = naive if value.tzinfo is None else utc
        slot = bisect.bisect_right(edges, value) - 1
        if 0 <= slot < len(counts):
            counts[slot] += n
    return counts


def active_patient_count(f: DashboardFilter) -> int:
    return _patients(f).filter(is_active=True).count()


def payer_mix(f: DashboardFilter) -> list[tuple[str, int]]:
    """Active patients by the kind of their primary coverage in force on the range's end."""

    coverages = Coverage.objects.filter(
        patient__organization=f.organization,
        patient__is_active=True,
        order=Coverage.Order.PRIMARY,
        effective_from__lte=f.end,
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=f.end))
    if f.location:
        coverages = coverages.filter(patient__home_location=f.location)
    counts = Counter(
        dict(coverages.values_list("payer__kind").annotate(n=Count("patient", distinct=True)))
    )
    labels = dict(Payer.Kind.choices)
    return [(labels.get(kind, kind), n) for kind, n in counts.most_common()]


# --- Sites and staff ------------------------------------------------------------------


@dataclass(frozen=True)
class SiteCapacity:
    location: Location
    chairs: int
    open_hours_per_week: Decimal
    chair_hours_per_week: Decimal
    nurses: int


def site_capacity(f: DashboardFilter) -> list[SiteCapacity]:
    """Chairs, opening hours and chair-hours a week, and nurses, for each site."""
    if "sites" not in f.memo:
        f.memo["sites"] = _site_capacity(f)
    sites: list[SiteCapacity] = f.memo["sites"]
    return sites


def _site_capacity(f: DashboardFilter) -> list[SiteCapacity]:
    sites = (
        locations(organization=f.organization)
        .prefetch_related("hours")
        .annotate(active_chairs=Count("chairs", filter=Q(chairs__is_active=True)))
    )
    if f.location:
        sites = sites.filter(pk=f.location.pk)
    nurses = dict(
        StaffMember.objects.filter(
            organization=f.organization, is_active=True, credential__in=NURSE_CREDENTIALS
        )
        .values_list("home_location")
        .annotate(n=Count("id"))
    )
    rows = []
    for site in sites:
        hours = Decimal(sum(h.minutes for h in site.hours.all())) / 60
        chairs = site.active_chairs
        rows.append(SiteCapacity(site, chairs, hours, hours * chairs, nurses.get(site.pk, 0)))
    return rows


# --- Referrals and authorizations (when those modules are installed) -------------------


def referral_funnel(f: DashboardFilter) -> list[tuple[str, int]]:
    """Referrals received in the range that reached each step (or went past it)."""

    referrals = Referral.objects.filter(
        organization=f.organization, received_on__gte=f.start, received_on__lte=f.end
    )
    if f.location:
        referrals = referrals.filter(location=f.location)
    by_state = Counter(dict(referrals.values_list("state").annotate(n=Count("id"))))
    steps = [
        rs.RECEIVED,
        rs.INTAKE_COMPLETE,
        rs.BENEFITS_VERIFIED,
        rs.AUTHORIZED,
        rs.SCHEDULED,
        rs.ACTIVE,
        rs.COMPLETED,
    ]
    total = sum(by_state.values())
    # A referral now at step k has passed every earlier step; closed ones count as received.
    reached = [sum(by_state[s] for s in steps[i:]) for i in range(len(steps))]
    reached[0] = total
    return [(rs.REFERRAL.labels[s], n) for s, n in zip(steps, reached, strict=True)]


def referral_to_active_days(f: DashboardFilter) -> list[int]:
    """Days from receipt to the first move to 'active' (treating), for referrals in range."""

    changes = ReferralStateChange.objects.filter(
        referral__organization=f.organization,
        referral__received_on__gte=f.start,
        referral__received_on__lte=f.end,
        to_state=rs.ACTIVE,
    )
    if f.location:
        changes = changes.filter(referral__location=f.location)
    first: dict[int, int] = {}
    for referral_id, received, changed in changes.values_list(
        "referral_id", "referral__received_on", "changed_on"
    ):
        days = (changed - received).days
        first[referral_id] = min(days, first.get(referral_id, days))
    return sorted(first.values())


def authorization_pipeline(f: DashboardFilter) -> list[tuple[str, int]]:
    """Prior authorizations by status, for orders at the location (all open ones)."""

    pas = PriorAuthorization.objects.filter(organization=f.organization)
    if f.location:
        pas = pas.filter(order__location=f.location)
    counts = Counter(dict(pas.values_list("status").annotate(n=Count("id"))))
    return [(label, counts[status]) for status, label in auth.AUTHORIZATION.labels.items()]


def approvals_expiring(f: DashboardFilter, within_days: int = 30) -> int:
    pas = PriorAuthorization.objects.filter(
        organization=f.organization,
        status=auth.APPROVED,
        end_on__gte=f.end,
        end_on__lte=f.end + dt.timedelta(days=within_days),
    )
    if f.location:
        pas = pas.filter(order__location=f.location)
    return pas.count()


# --- Management companies --------------------------------------------------------------


@dataclass(frozen=True)
class ClientSite:
    organization: Organization
    sites: int
    chairs: int
    active_patients: int
    terms: ManagementFeeTerms | None
    treatments: int | None = None  # completed in the range; None without scheduling
    fee_owed: Decimal | None = None  # None when the basis needs data not kept yet
    collections: Decimal | None = None  # payer payments posted in the range; None w/o billing


def client_organizations(*, management_company: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(managed_by=management_company)


def access_client(*, management_company: Organization, public_id: Any) -> Organization:
    """A client of this management company, or 404."""
    return get_object_or_404(Organization, managed_by=management_company, public_id=public_id)


def client_sites(
    *, management_company: Organization, start: dt.date, end: dt.date
) -> list[ClientSite]:
    """Every client organization side by side: sites, chairs, patients, fee terms, and the
    fee owed for the date range when its basis can be computed (per treatment: completed
    appointments; a share of collections: the payers' payments posted from their 835
    remittances paid in the range — patient payments are not recorded in Chairside)."""

    clients = client_organizations(management_company=management_company).select_related(
        "management_fee_terms"
    )
    ids = [c.pk for c in clients]
    sites = _count_by(Location.objects.filter(organization__in=ids, is_active=True))
    chairs = Counter(
        dict(
            Location.objects.filter(organization__in=ids, chairs__is_active=True)
            .values_list("organization")
            .annotate(n=Count("chairs"))
        )
    )
    patients = _count_by(Patient.objects.filter(organization__in=ids, is_active=True))
    treatments = _completed_by_org(ids, start, end)
    collected = _collections_by_org(ids, start, end)
    rows = []
    for c in clients:
        terms = getattr(c, "management_fee_terms", None)
        done = treatments.get(c.pk, 0) if treatments is not None else None
        paid = collected.get(c.pk, Decimal(0)) if collected is not None else None
        rows.append(
            ClientSite(
                c,
                sites[c.pk],
                chairs[c.pk],
                patients[c.pk],
                terms,
                done,
                _fee(terms, done, paid),
                paid,
            )
        )
    return rows


def _collections_by_org(ids: list[int], start: dt.date, end: dt.date) -> dict[int, Decimal] | None:
    paid = (
        Remittance.objects.filter(organization__in=ids, paid_on__gte=start, paid_on__lte=end)
        .order_by()
        .values_list("organization")
        .annotate(total=Sum("total_paid"))
    )
    return {org: Decimal(total or 0) for org, total in paid}


def _completed_by_org(ids: list[int], start: dt.date, end: dt.date) -> Counter[int] | None:
    tz = timezone.get_current_timezone()
    done = Appointment.objects.filter(
        organization__in=ids,
        status=states.COMPLETED,
        start__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        start__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    return _count_by(done)


def _fee(
    terms: ManagementFeeTerms | None, treatments: int | None, collections: Decimal | None
) -> Decimal | None:

    if terms is None:
        return None
    per_treatment = terms.basis == terms.Basis.PER_TREATMENT
    if (treatments if per_treatment else collections) is None:
        return None
    return management_fee_owed(
        basis=terms.basis,
        treatments=treatments or 0,
        collections=collections or Decimal(0),
        per_treatment=terms.fee_per_treatment,
        share=terms.share_of_collections_percent / 100,
    )


def _count_by(queryset: QuerySet[Any]) -> Counter[int]:
    return Counter(dict(queryset.values_list("organization").annotate(n=Count("id"))))


# --- Scheduling (appointments) ----------------------------------------------------------


def _day_bounds(f: DashboardFilter) -> list[dt.datetime]:
    """Local midnights from the range's first day to the day after its last."""
    tz = timezone.get_current_timezone()
    return [
        dt.datetime.combine(f.start + dt.timedelta(days=n), dt.time.min, tzinfo=tz)
        for n in range(f.span_days + 1)
    ]


def _appointments(f: DashboardFilter) -> QuerySet[Any]:
    appointments = Appointment.objects.filter(organization=f.organization)
    return appointments.filter(location=f.location) if f.location else appointments


def appointment_groups(f: DashboardFilter) -> list[tuple[dt.datetime, dt.datetime, str, int]]:
    """The range's appointments grouped by (start, end, status), with a count each.

    One grouped read serves the treatments, outcomes and heatmap panels: bookings share
    start and end times (every chair at 8:00), so three years of appointments come back as
    a few thousand rows, read once per request.
    """
    if "appointments" not in f.memo:
        bounds = _day_bounds(f)
        grouped = (
            _appointments(f)
            .filter(start__gte=bounds[0], start__lt=bounds[-1])
            .order_by()
            .values_list("start", "end", "status")
            .annotate(n=Count("id"))
        )
        f.memo["appointments"] = _raw_values(grouped)
    rows: list[tuple[dt.datetime, dt.datetime, str, int]] = f.memo["appointments"]
    return rows


def completed_by_day(f: DashboardFilter) -> list[tuple[dt.date, int]]:
    """Completed appointments (treatments given) on each day of the range."""

    bounds = _day_bounds(f)
    utc = [b.astimezone(dt.UTC) for b in bounds]
    naive = [b.replace(tzinfo=None) for b in utc]
    counts = [0] * f.span_days
    for start, _, status, n in appointment_groups(f):
        if status == states.COMPLETED:
            slot = bisect.bisect_right(naive if start.tzinfo is None else utc, start) - 1
            if 0 <= slot < len(counts):
                counts[slot] += n
    return [(f.start + dt.timedelta(days=n), c) for n, c in enumerate(counts)]


def appointment_outcomes(f: DashboardFilter, now: dt.datetime) -> dict[str, int]:
    """Appointments due in the range (already past) by status."""
    cutoff = now.astimezone(dt.UTC)
    naive_cutoff = cutoff.replace(tzinfo=None)
    outcomes: Counter[str] = Counter()
    for start, _, status, n in appointment_groups(f):
        if start < (naive_cutoff if start.tzinfo is None else cutoff):
            outcomes[status] += n
    return dict(outcomes)


@dataclass(frozen=True)
class Heatmap:
    hours: list[int]
    rows: list[tuple[str, list[float]]]  # weekday label, utilization per hour (0-1)


HEAT_HOURS = list(range(6, 22))
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def chair_heatmap(f: DashboardFilter) -> Heatmap | None:
    """Booked chair time per hour of each weekday, over the chairs there (0-1).

    Booked means every appointment that holds its chair (booked through completed). The
    denominator is every chair-hour of that weekday and hour in the range, open or not,
    so closed hours read as empty.
    """

    chairs = sum(c.chairs for c in site_capacity(f))
    if not chairs:
        return None
    # Chairs in use per minute of the week, by a difference array: +n where bookings
    # start, -n where they end, then a running sum. Linear in the groups, no per-hour loop.
    week = 7 * 24 * 60
    change = [0] * (week + 1)
    local_offset = _utc_offsets(timezone.get_current_timezone())
    for start, end, status, n in appointment_groups(f):
        if status not in states.OCCUPYING:
            continue
        local = start + local_offset(start)  # the local wall clock, as fields
        first = (local.weekday() * 24 + local.hour) * 60 + local.minute
        last = first + min(week, int((end - start).total_seconds() // 60))
        change[first] += n
        if last <= week:
            change[last] -= n
        else:  # runs past Sunday midnight: wrap to Monday
            change[week] -= n
            change[0] += n
            change[last - week] -= n
    in_use = list(itertools.accumulate(change[:week]))
    days_of_week = Counter((f.start + dt.timedelta(days=n)).weekday() for n in range(f.span_days))
    rows = []
    for d in range(7):
        capacity = 60 * chairs * days_of_week[d]
        cells = [
            sum(in_use[(d * 24 + h) * 60 : (d * 24 + h + 1) * 60]) / capacity if capacity else 0.0
            for h in HEAT_HOURS
        ]
        rows.append((WEEKDAYS[d], cells))
    return Heatmap(HEAT_HOURS, rows)


def _raw_values(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """A values_list query's rows straight from the cursor; datetimes in UTC.

    SQLite hands back naive UTC datetimes, PostgreSQL aware ones; both carry UTC wall-clock
    fields, which is all the callers use.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _utc_offsets(tz: Any) -> Any:
    """A function from a UTC datetime (naive or aware) to the zone's offset then, cached per
    UTC hour: offsets change on the hour, and a few thousand hours cover years of data."""
    cache: dict[int, dt.timedelta] = {}

    def offset(moment: dt.datetime) -> dt.timedelta:
        key = moment.toordinal() * 24 + moment.hour
        found = cache.get(key)
        if found is None:
            utc = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
            found = cache[key] = utc.astimezone(tz).utcoffset() or dt.timedelta(0)
        return found

    return offset


# --- Billing: revenue, drug cost and margin ----------------------------------------------


def visit_margins(f: DashboardFilter) -> list[Any]:
    """Billing's margin rows (one per visit's primary claim) for the range and site.

    Billing computes every figure (``billing.selectors.margins``: expected payments from the
    contracts, drug cost from the lots dispensed or estimated); this only keeps the site's.
    """
    if "margins" not in f.memo:
        rows = billing_margins(organization=f.organization, start=f.start, end=f.end)
        if f.location:
            rows = [r for r in rows if r.claim.encounter.location_id == f.location.pk]
        f.memo["margins"] = rows
    found: list[Any] = f.memo["margins"]
    return found


# --- Inventory: cash in stock and days on hand -------------------------------------------


@dataclass(frozen=True)
class InventoryCash:
    weeks: list[tuple[dt.date, Decimal]]  # stock value at cost at the end of each week
    closing_value: Decimal  # at the end of the range's last day
    used_value: Decimal  # drug dispensed or wasted in the range, at cost
    daily_use: Decimal  # used_value over the days of the range
    unpaid_invoices: Decimal  # vendor invoices not yet paid (every site)
    unpaid_count: int

    @property
    def days_on_hand(self) -> Decimal | None:
        """Stock at cost over the average cost used a day (None when nothing was used)."""
        return self.closing_value / self.daily_use if self.daily_use > 0 else None


def inventory_cash(f: DashboardFilter, today: dt.date) -> InventoryCash:
    """The center's own stock (not patients' white-bag drug) valued at each lot's invoice
    cost, from the stock ledger: its value at the end of each week of the range, what was
    dispensed or wasted in the range at cost, and the vendor invoices still unpaid.

    Days on hand = stock value at the range's end / (cost used in the range / days).
    """

    tz = timezone.get_current_timezone()
    moves = Movement.objects.filter(organization=f.organization, lot__patient__isnull=True)
    if f.location:
        moves = moves.filter(lot__storage_place__location=f.location)
    worth = ExpressionWrapper(
        F("vials") * F("lot__cost_per_vial"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    begin = dt.datetime.combine(f.start, dt.time.min, tzinfo=tz)
    monday = f.start - dt.timedelta(days=f.start.weekday())
    ends = [monday + dt.timedelta(weeks=n, days=6) for n in range((f.end - monday).days // 7 + 1)]
    ends = [min(e, f.end) for e in ends]
    opening = moves.filter(at__lt=begin).aggregate(v=Sum(worth))["v"] or Decimal(0)
    bounds = [begin] + [
        dt.datetime.combine(e + dt.timedelta(days=1), dt.time.min, tzinfo=tz) for e in ends
    ]
    changes = [Decimal(0)] * len(ends)
    used = Decimal(0)
    rows = moves.filter(at__gte=bounds[0], at__lt=bounds[-1]).values_list("at", "kind", worth)
    for at, kind, value in rows:
        slot = bisect.bisect_right(bounds, at) - 1
        changes[slot] += value
        if kind in ("dispense", "waste"):
            used -= value
    weeks, running = [], Decimal(opening)
    for end, change in zip(ends, changes, strict=True):
        running += change
        weeks.append((end, running))
    unpaid = payments_due(organization=f.organization, today=today, within_days=100 * 365)
    return InventoryCash(
        weeks=weeks,
        closing_value=running,
        used_value=used,
        daily_use=used / f.span_days,
        unpaid_invoices=sum((i.amount for i in unpaid), Decimal(0)),
        unpaid_count=len(unpaid),
    )


# --- Treatments: reports to the referring physicians -----------------------------------


@dataclass(frozen=True)
class ReportTimeliness:
    weeks: list[tuple[dt.date, int, int, int]]  # week's Monday, on time, late, not yet due
    on_time: int
    late: int
    waiting: int  # not sent and not yet due: neither on time nor late yet
    hours_to_send: list[float]  # signing to sent, for the reports sent, ascending

    @property
    def share_on_time(self) -> float | None:
        decided = self.on_time + self.late
        return self.on_time / decided if decided else None


def report_timeliness(f: DashboardFilter, now: dt.datetime) -> ReportTimeliness:
    """Treatment reports (every version) of the visits on the range's days, by whether they
    went out within 24 hours of signing — the rule of ``VisitReport.is_late``: sent after
    ``due_at`` (signing + 24 h), or still unsent once it has passed, is late."""

    reports = VisitReport.objects.filter(
        organization=f.organization, visit__date__gte=f.start, visit__date__lte=f.end
    )
    if f.location:
        reports = reports.filter(visit__location=f.location)
    monday = f.start - dt.timedelta(days=f.start.weekday())
    counts = [[0, 0, 0] for _ in range((f.end - monday).days // 7 + 1)]
    hours = []
    for day, due, sent in reports.values_list("visit__date", "due_at", "sent_at"):
        week = counts[(day - monday).days // 7]
        if sent is not None:
            hours.append((sent - (due - DELIVERY_DEADLINE)).total_seconds() / 3600)
            week[1 if sent > due else 0] += 1
        else:
            week[1 if now > due else 2] += 1
    return ReportTimeliness(
        weeks=[(monday + dt.timedelta(weeks=n), c[0], c[1], c[2]) for n, c in enumerate(counts)],
        on_time=sum(c[0] for c in counts),
        late=sum(c[1] for c in counts),
        waiting=sum(c[2] for c in counts),
        hours_to_send=sorted(hours),
    )
