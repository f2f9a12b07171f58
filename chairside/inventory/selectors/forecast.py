"""Demand forecast from booked appointments, days-on-hand, stock-outs and the suggested order.

Demand comes from the scheduling module's booked appointments when it is installed, behind
one function, :func:`_booked_doses`; everything else works on a plain list of doses, so the
forecast is tested with a made-up demand list too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Sum

from chairside.formulary.models import Package
from chairside.inventory.models import Lot, Movement, PurchaseOrder, StoragePlace, Vendor
from chairside.inventory.selectors.reservations import reserved_vials_by_package
from chairside.inventory.services._ledger import today_at
from chairside.inventory.services.catalog import inventory_settings_for
from chairside.inventory.services.purchasing import DELIVERY_WEEKDAYS
from chairside.patients.models import BodyMeasurement
from chairside.rules.inventory.forecast import (
    BookedDose,
    OrderSuggestion,
    arrival_date,
    average_daily_use,
    days_on_hand,
    last_order_day,
    spare_vials,
    stockout_date,
    suggest_order,
)
from chairside.rules.inventory.vials import choose_vials
from chairside.scheduling.models import Appointment
from chairside.tenancy.models import Location

USE_WINDOW_DAYS = 28  # past use and future bookings averaged for the daily use
# Appointment states whose drug is still to be prepared (scheduling's appointment_states):
# once in the chair the dose has been dispensed; completed, cancelled, no-show, rescheduled
# appointments need nothing more from the shelf.
_DEMAND_STATES = ("booked", "confirmed", "checked_in")


@dataclass(frozen=True)
class Uncounted:
    """A booked appointment the forecast could not turn into vials, and why."""

    day: dt.date
    patient: Any
    drug: str
    reason: str


def _booked_doses(
    organization: Any,
    location: Any,
    start: dt.date,
    end: dt.date,
    uncounted: list[Uncounted] | None = None,
    *,
    reserved: set[int] | None = None,
) -> list[BookedDose]:
    """Doses booked at ``location`` on days ``start`` <= day < ``end``, from scheduling.

    Each appointment's order gives the drug and the dose (``dose_for_weight`` at the
    patient's latest weight). An appointment whose dose cannot be worked out (a per-kg dose
    with no weight on file) is left out of the doses and, when ``uncounted`` is given,
    appended to it, so the forecast can say which demand it cannot see. Appointments in
    ``reserved`` are left out: their vials are already set aside (and off the free stock).
    """

    latest_first = BodyMeasurement.objects.order_by("-measured_on", "-id")
    booked = Appointment.objects.filter(
        organization=organization,
        location=location,
        start__gte=dt.datetime.combine(start, dt.time.min, tzinfo=location.tz),
        start__lt=dt.datetime.combine(end, dt.time.min, tzinfo=location.tz),
        status__in=_DEMAND_STATES,
    ).select_related("order__drug", "patient")
    if reserved:
        booked = booked.exclude(pk__in=reserved)
    booked = booked.prefetch_related(Prefetch("patient__measurements", queryset=latest_first))
    doses: list[BookedDose] = []
    for appointment in booked:
        order = getattr(appointment, "order", None)
        if order is None:
            continue
        weights = [m.weight_kg for m in appointment.patient.measurements.all()[:1]]
        weight = weights[0] if weights else None
        number = getattr(appointment, "dose_number", None) or 1
        day = appointment.start.astimezone(location.tz).date()
        try:
            dose = order.dose_for_weight(weight, number)
        except ValueError as exc:
            if uncounted is not None:
                uncounted.append(Uncounted(day, appointment.patient, order.drug.key, str(exc)))
            continue
        doses.append(
            BookedDose(
                day, order.drug.key, dose, str(appointment.patient_id), order.is_weight_based
            )
        )
    return doses


@dataclass
class ForecastRow:
    """One vial strength at the site: stock, booked demand, and what to order."""

    package: Package
    on_hand: int
    demand: dict[dt.date, int]
    on_order: dict[dt.date, int]
    daily_use: Decimal
    unit_cost: Decimal
    vendor: Vendor | None
    suggestion: OrderSuggestion
    white_bag_vials: int = 0
    reserved: int = 0  # vials set aside for appointments (already off ``on_hand``)
    # Filled for the forecast's window by ``Forecast.add``: vials per day, the first short day.
    cells: list[int] = field(default_factory=list)
    stockout: dt.date | None = None
    order_by: dt.date | None = None  # the last weekday an order still arrives before stockout

    @property
    def drug(self) -> Any:
        return self.package.drug

    @property
    def on_order_total(self) -> int:
        return sum(self.on_order.values())

    @property
    def booked_in_window(self) -> int:
        return sum(self.cells)

    @property
    def booked(self) -> int:
        return sum(self.demand.values())

    @property
    def days_on_hand(self) -> Decimal | None:
        return days_on_hand(self.on_hand, self.daily_use)

    @property
    def order_value(self) -> Decimal:
        return self.unit_cost * self.suggestion.vials


@dataclass
class Forecast:
    location: Any
    start: dt.date
    days: int
    target_days: int
    rows: list[ForecastRow] = field(default_factory=list)
    unstocked: dict[str, int] = field(default_factory=dict)  # drug -> doses with no package
    uncounted: list[Uncounted] = field(default_factory=list)  # booked, dose unknown

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range(self.days)]

    def add(self, row: ForecastRow) -> None:
        """Add a row, with its vials per day and first short day inside the window."""
        end = self.start + dt.timedelta(days=self.days)
        row.cells = [row.demand.get(day, 0) for day in self.dates]
        row.stockout = stockout_date(row.on_hand, row.demand, self.start, end, row.on_order)
        if row.stockout is not None:
            lead = row.vendor.lead_time_days if row.vendor is not None else 1
            row.order_by = max(
                self.start,
                last_order_day(row.stockout, lead, DELIVERY_WEEKDAYS, DELIVERY_WEEKDAYS),
            )
        self.rows.append(row)

    @property
    def short_rows(self) -> list[ForecastRow]:
        return [row for row in self.rows if row.stockout is not None]

    @property
    def order_value(self) -> Decimal:
        return sum((row.order_value for row in self.rows), Decimal(0))


def _next_weekday(day: dt.date) -> dt.date:
    following = day + dt.timedelta(days=1)
    while following.weekday() not in DELIVERY_WEEKDAYS:
        following += dt.timedelta(days=1)
    return following


class _Site:
    """What the forecast reads about one location, in a handful of queries."""

    def __init__(self, organization: Any, location: Any, today: dt.date) -> None:
        usable = Lot.objects.filter(
            organization=organization, storage_place__location=location, expires_on__gte=today
        ).exclude(storage_place__kind=StoragePlace.Kind.QUARANTINE)
        self.on_hand: dict[int, int] = defaultdict(int)
        self.white_bag: dict[tuple[str, int], int] = defaultdict(int)
        for lot in usable.filter(on_hand__gt=0):
            if lot.patient_id:
                self.white_bag[(str(lot.patient_id), lot.package_id)] += lot.on_hand
            else:
                self.on_hand[lot.package_id] += lot.on_hand
        # Vials reserved for coming appointments are not free: the forecast's on-hand is
        # what is left, and those appointments' demand is left out (``_booked_doses``).
        center, own, self.reserved_appointments = reserved_vials_by_package(
            organization=organization, location=location, today=today
        )
        self.reserved: dict[int, int] = dict(center)
        for package_id, vials in center.items():
            self.on_hand[package_id] = max(0, self.on_hand[package_id] - vials)
        for key, vials in own.items():
            self.white_bag[key] = max(0, self.white_bag[key] - vials)
        self.on_order = self._on_order(organization, location, today)
        self.used = self._used(organization, location, today)
        self.costs, self.vendors = self._last_purchases(organization)

    @staticmethod
    def _on_order(
        organization: Any, location: Any, today: dt.date
    ) -> dict[int, dict[dt.date, int]]:
        found: dict[int, dict[dt.date, int]] = defaultdict(dict)
        orders = PurchaseOrder.objects.filter(
            organization=organization, location=location, status__in=PurchaseOrder.OPEN
        ).prefetch_related("lines__lots")
        for order in orders:
            due = max(order.expected_on or today, today)
            for line in order.lines.all():
                if line.vials_outstanding:
                    days = found[line.package_id]
                    days[due] = days.get(due, 0) + line.vials_outstanding
        return found

    @staticmethod
    def _used(organization: Any, location: Any, today: dt.date) -> dict[int, dict[dt.date, int]]:
        since = today - dt.timedelta(days=USE_WINDOW_DAYS)
        rows = (
            Movement.objects.filter(
                organization=organization,
                kind=Movement.Kind.DISPENSE,
                lot__storage_place__location=location,
                lot__patient__isnull=True,
                at__date__gte=since,
            )
            .values("lot__package_id", "at__date")
            .annotate(vials=Sum("vials"))
        )
        used: dict[int, dict[dt.date, int]] = defaultdict(dict)
        for row in rows:
            used[row["lot__package_id"]][row["at__date"]] = -row["vials"]
        return used

    @staticmethod
    def _last_purchases(organization: Any) -> tuple[dict[int, Decimal], dict[int, Vendor]]:
        costs: dict[int, Decimal] = {}
        sellers: dict[int, Vendor] = {}
        bought = Lot.objects.filter(
            organization=organization, patient__isnull=True, vendor__isnull=False
        )
        for lot in bought.select_related("vendor").order_by("received_on", "id"):
            costs[lot.package_id] = lot.cost_per_vial
            sellers[lot.package_id] = lot.vendor  # type: ignore[assignment]
        return costs, sellers


@dataclass
class _Demand:
    """Booked vials per package per day that the center's own stock must supply."""

    by_package: dict[int, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(dict))
    weight_based: dict[int, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(dict))
    white_bag: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    unstocked: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _by_strength(packages: list[Package], site: _Site) -> dict[Decimal, Package]:
    """One package per strength: the one with most stock when two NDCs share a strength."""
    chosen: dict[Decimal, Package] = {}
    for package in sorted(packages, key=lambda p: -site.on_hand.get(p.pk, 0)):
        chosen.setdefault(package.strength_mg, package)
    return chosen


def _center_demand(
    doses: list[BookedDose], packages: dict[str, list[Package]], site: _Site
) -> _Demand:
    """Each dose's vials (``choose_vials``), less what the patient's own stock covers."""
    demand = _Demand()
    own = dict(site.white_bag)
    for dose in sorted(doses, key=lambda d: d.day):
        if not packages.get(dose.drug):
            demand.unstocked[dose.drug] += 1
            continue
        sizes = _by_strength(packages[dose.drug], site)
        smallest = sizes[min(sizes)]
        if dose.weight_based:
            days = demand.weight_based[smallest.pk]
            days[dose.day] = days.get(dose.day, 0) + 1
        for strength, count in choose_vials(dose.dose_mg, list(sizes)).items():
            package = sizes[strength]
            key = (dose.patient_id or "", package.pk)
            covered = min(own.get(key, 0), count)
            if covered:
                own[key] -= covered
                demand.white_bag[package.pk] += covered
            if count > covered:
                days = demand.by_package[package.pk]
                days[dose.day] = days.get(dose.day, 0) + count - covered
    return demand


def _packages(organization: Any) -> dict[str, list[Package]]:
    found: dict[str, list[Package]] = defaultdict(list)
    for package in Package.objects.filter(
        drug__organization=organization, drug__is_active=True
    ).select_related("drug"):
        found[package.drug.key].append(package)
    return found


def _window(days: dict[dt.date, int], start: dt.date, end: dt.date) -> int:
    return sum(n for day, n in days.items() if start <= day < end)


def _row(
    package: Package,
    *,
    sizes: list[Decimal],
    site: _Site,
    demand: _Demand,
    today: dt.date,
    target: int,
    vendor: Any,
) -> ForecastRow:
    seller = vendor or site.vendors.get(package.pk)
    lead = seller.lead_time_days if seller is not None else 1
    arrives = arrival_date(today, lead, DELIVERY_WEEKDAYS)
    next_arrival = max(arrival_date(_next_weekday(today), lead, DELIVERY_WEEKDAYS), arrives)
    booked = demand.by_package.get(package.pk, {})
    past = average_daily_use(
        site.used.get(package.pk, {}), today - dt.timedelta(days=USE_WINDOW_DAYS), USE_WINDOW_DAYS
    )
    use = max(past, average_daily_use(booked, today, USE_WINDOW_DAYS))
    spare = spare_vials(
        package.strength_mg,
        sizes,
        weight_based_soon=_window(demand.weight_based.get(package.pk, {}), today, next_arrival),
        booked_soon=_window(booked, today, next_arrival),
        working_stock=int(use * target),
    )
    suggestion = suggest_order(
        on_hand=site.on_hand.get(package.pk, 0),
        demand=booked,
        start=today,
        arrives_on=arrives,
        next_arrival=next_arrival,
        target_days=target,
        daily_use=use,
        on_order=site.on_order.get(package.pk, {}),
        spare_vials=spare,
    )
    return ForecastRow(
        package=package,
        on_hand=site.on_hand.get(package.pk, 0),
        demand=dict(booked),
        on_order=dict(site.on_order.get(package.pk, {})),
        daily_use=use,
        unit_cost=site.costs.get(package.pk, Decimal(0)),
        vendor=seller,
        suggestion=suggestion,
        white_bag_vials=demand.white_bag.get(package.pk, 0),
        reserved=site.reserved.get(package.pk, 0),
    )


def demand_forecast(
    *,
    organization: Any,
    location: Any,
    days: int | None = None,
    today: dt.date | None = None,
    doses: list[BookedDose] | None = None,
    vendor: Vendor | None = None,
) -> Forecast:
    """Demand by drug and day at a site over ``days`` days, and the order to place now.

    ``doses`` replaces the booked appointments (tests, what-ifs); ``vendor`` sets the lead
    time (default: who sold the package last). Days-on-hand, the stock-out day and the
    suggested order follow ``rules.inventory.forecast`` with the site's target days-on-hand.
    """
    today = today or today_at(location)
    settings = inventory_settings_for(location)
    days = days or settings.forecast_days
    horizon = today + dt.timedelta(days=max(days, USE_WINDOW_DAYS))
    uncounted: list[Uncounted] = []
    site = _Site(organization, location, today)
    if doses is None:
        doses = _booked_doses(
            organization, location, today, horizon, uncounted, reserved=site.reserved_appointments
        )
    packages = _packages(organization)
    demand = _center_demand(doses, packages, site)
    forecast = Forecast(location, today, days, settings.target_days_on_hand)
    forecast.unstocked = dict(demand.unstocked)
    end = today + dt.timedelta(days=days)
    forecast.uncounted = [u for u in uncounted if u.day < end]
    for group in packages.values():
        for package in sorted(group, key=lambda p: p.strength_mg):
            interesting = (
                site.on_hand.get(package.pk)
                or site.reserved.get(package.pk)
                or demand.by_package.get(package.pk)
                or site.on_order.get(package.pk)
                or site.used.get(package.pk)
            )
            if interesting:
                forecast.add(
                    _row(
                        package,
                        sizes=[p.strength_mg for p in group],
                        site=site,
                        demand=demand,
                        today=today,
                        target=settings.target_days_on_hand,
                        vendor=vendor,
                    )
                )
    forecast.rows.sort(key=lambda r: (r.drug.generic_name, r.package.strength_mg))
    return forecast


def short_drugs(*, organization: Any, days: int = 14) -> list[tuple[Any, ForecastRow, dt.date]]:
    """(location, row, first short day) for drugs booked beyond stock in the next ``days``."""

    short: list[tuple[Any, ForecastRow, dt.date]] = []
    for location in Location.objects.filter(organization=organization, is_active=True):
        forecast = demand_forecast(organization=organization, location=location, days=days)
        short.extend((location, row, row.stockout) for row in forecast.short_rows if row.stockout)
    return short
