"""Demo step: vendors, storage, and a few months of buy-and-bill stock history (synthetic).

The history goes through the real inventory services, in time order: a shipment every Monday
per site for the week's doses of the demo treatment orders (and a little spare), each dose
dispensed first-expiry-first-out on its day with the opened vial's unused part recorded as
waste, an emergency delivery when a dose finds the shelf short, a transfer between sites, a
broken vial, a cycle count with a variance. Then the present: some lots short-dated, one
expired vial still on a shelf, patient-specific (white-bag) stock for three patients, vendor
invoices paid, due and overdue, one purchase order on its way.

Lot numbers start with ``DM`` and vendors say "(demo)"; prices are the formulary's demo
acquisition costs. Vendors and storage places are found by name; the history is written once
(when the organization has no stock movement yet), so running seeddemo twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.referrals.models import TreatmentOrder
from chairside.demo import DemoContext
from chairside.formulary.models import Package
from chairside.formulary.services import reference_formulary
from chairside.inventory import services
from chairside.inventory.models import Lot, Movement, StoragePlace, Vendor, VendorInvoice
from chairside.inventory.selectors import demand_forecast, on_hand
from chairside.rules.inventory.vials import choose_vials

HISTORY_DAYS = 84  # twelve weeks of movements
SEED = "riverside-inventory"

# (name, kind, payment terms, lead time days)
VENDORS = [
    ("Keystone Specialty Distribution (demo)", Vendor.Kind.DISTRIBUTOR, 30, 1),
    ("Commonwealth Biologics Supply (demo)", Vendor.Kind.DISTRIBUTOR, 60, 2),
    ("Allegheny Pharma Direct (demo)", Vendor.Kind.MANUFACTURER, 90, 3),
    ("Three Rivers Wholesale (demo)", Vendor.Kind.DISTRIBUTOR, 120, 2),
    ("Riverbend Specialty Pharmacy (demo)", Vendor.Kind.SPECIALTY_PHARMACY, 30, 2),
]
# location key -> [(name, kind)]
PLACES = {
    "main": [
        ("Pharmacy refrigerator 1", StoragePlace.Kind.REFRIGERATOR),
        ("Pharmacy refrigerator 2", StoragePlace.Kind.REFRIGERATOR),
        ("Room-temperature shelf", StoragePlace.Kind.SHELF),
        ("Quarantine bin", StoragePlace.Kind.QUARANTINE),
    ],
    "eastgate": [
        ("Refrigerator", StoragePlace.Kind.REFRIGERATOR),
        ("Shelf", StoragePlace.Kind.SHELF),
    ],
}


@dataclass(frozen=True)
class Dose:
    at: dt.datetime
    order: Any
    number: int
    mg: Decimal
    location: Any


def _vendors(org: Any) -> dict[str, Vendor]:
    found = {}
    for name, kind, terms, lead in VENDORS:
        vendor, _ = Vendor.objects.get_or_create(
            organization=org,
            name=name,
            defaults={
                "kind": kind,
                "payment_terms_days": terms,
                "lead_time_days": lead,
                "account_number": f"RIV-{abs(hash(name)) % 90000 + 10000}",
                "phone": "(555) 010-3000",
                "is_demo": True,
            },
        )
        found[name] = vendor
    return found


def _places(ctx: DemoContext) -> dict[str, StoragePlace]:
    org = ctx.organizations["riverside"]
    found = {}
    for key, rows in PLACES.items():
        location = ctx.locations[key]
        services.inventory_settings_for(location)
        for name, kind in rows:
            place, _ = StoragePlace.objects.get_or_create(
                organization=org, location=location, name=name, defaults={"kind": kind}
            )
            found[f"{key}:{name}"] = place
    return found


def _unit_costs(org: Any) -> dict[int, Decimal]:
    """Demo acquisition cost per vial: the formulary's demo cost per billing unit x units."""
    rows = {row["key"]: row for row in reference_formulary()}
    costs = {}
    for package in Package.objects.filter(drug__organization=org).select_related("drug"):
        row = rows.get(package.drug.key, {})
        per_unit = Decimal(str((row.get("demo_prices") or {}).get("acquisition_cost_per_unit", 0)))
        costs[package.pk] = (
            per_unit * package.strength_mg / package.drug.billing_unit_mg
        ).quantize(Decimal("0.01"))
    return costs


def _doses(org: Any, ctx: DemoContext, start: dt.date, today: dt.date) -> list[Dose]:
    """The demo treatment orders' doses in the history window, at 10:00-ish local time."""

    doses = []
    stocked = set(Package.objects.filter(drug__organization=org).values_list("drug_id", flat=True))
    orders = TreatmentOrder.objects.filter(organization=org, drug_id__in=stocked).select_related(
        "drug", "patient__home_location", "location"
    )
    for order in orders:
        location = order.location or order.patient.home_location or ctx.locations["main"]
        for number, day in enumerate(order.planned_dates(), start=1):
            if not start <= day < today:
                continue
            try:
                mg = order.dose_for_weight(order.weight_kg_at_order, number)
            except ValueError:
                continue
            minute = order.pk % 360
            at = dt.datetime.combine(day, dt.time(8), tzinfo=location.tz) + dt.timedelta(
                minutes=60 + minute
            )
            doses.append(Dose(at, order, number, mg, location))
    return sorted(doses, key=lambda d: d.at)


class _History:
    """Writes the weeks of stock history through the services, in time order."""

    def __init__(self, ctx: DemoContext, places: dict[str, StoragePlace], vendors: Any) -> None:
        self.org = ctx.organizations["riverside"]
        self.user = ctx.users.get("pharmacist")
        self.ctx = ctx
        self.fridge = {
            ctx.locations["main"].pk: places["main:Pharmacy refrigerator 1"],
            ctx.locations["eastgate"].pk: places["eastgate:Refrigerator"],
        }
        self.vendors = vendors
        self.costs = _unit_costs(self.org)
        self.rng = random.Random(SEED)
        self.lots = 0
        self.invoices = 0
        self.sizes: dict[int, dict[Decimal, Package]] = {}

    def lot_number(self) -> str:
        self.lots += 1
        return f"DM{self.rng.randint(100, 999)}{self.lots:04d}"

    def receive(
        self,
        location: Any,
        wanted: dict[Package, int],
        at: dt.datetime,
        vendor: Any,
        place: StoragePlace | None = None,
    ) -> None:
        if not wanted:
            return
        self.invoices += 1
        lines = [
            services.ReceiptLine(
                ndc=package.ndc,
                lot_number=self.lot_number(),
                expires_on=at.date() + dt.timedelta(days=self.rng.randint(150, 540)),
                vials=vials,
                cost_per_vial=self.costs.get(package.pk, Decimal(0)),
            )
            for package, vials in sorted(wanted.items(), key=lambda kv: kv[0].pk)
            if vials > 0
        ]
        services.shipment_receive(
            organization=self.org,
            user=self.user,
            vendor=vendor,
            storage_place=place or self.fridge[location.pk],
            lines=lines,
            invoice_number=f"DEMO-{at:%y%m%d}-{self.invoices:03d}",
            invoice_date=at.date(),
            at=at,
        )

    def vials(self, dose: Dose) -> dict[Package, int]:
        drug = dose.order.drug_id
        if drug not in self.sizes:
            self.sizes[drug] = {p.strength_mg: p for p in dose.order.drug.packages.all()}
        sizes = self.sizes[drug]
        return {sizes[s]: n for s, n in choose_vials(dose.mg, list(sizes)).items()}

    def weekly_shipments(self, doses: list[Dose], start: dt.date, today: dt.date) -> None:
        monday = start - dt.timedelta(days=start.weekday())
        vendor = self.vendors["Keystone Specialty Distribution (demo)"]
        second = self.vendors["Commonwealth Biologics Supply (demo)"]
        while monday <= today:
            week = [d for d in doses if monday <= d.at.date() < monday + dt.timedelta(days=7)]
            for location in (self.ctx.locations["main"], self.ctx.locations["eastgate"]):
                wanted: dict[Package, int] = defaultdict(int)
                for dose in (d for d in week if d.location.pk == location.pk):
                    for package, n in self.vials(dose).items():
                        wanted[package] += n
                at = dt.datetime.combine(monday, dt.time(7, 30), tzinfo=location.tz)
                if at < timezone.now():
                    seller = second if monday.isocalendar()[1] % 3 == 0 else vendor
                    self.events.append((at, "receive", (location, dict(wanted), seller)))

            monday += dt.timedelta(days=7)

    events: list[tuple[dt.datetime, str, Any]]

    def run(self, start: dt.date, today: dt.date) -> int:
        doses = _doses(self.org, self.ctx, start, today)
        self.events = [(d.at, "dose", d) for d in doses]
        self.weekly_shipments(doses, start, today)
        given = 0
        for at, kind, payload in sorted(self.events, key=lambda e: (e[0], e[1] != "receive")):
            if kind == "receive":
                location, wanted, vendor = payload
                self.receive(location, self.top_up(location, wanted), at, vendor)
            else:
                given += self.give(payload)
        return given

    def top_up(self, location: Any, wanted: dict[Package, int]) -> dict[Package, int]:
        """The week's vials less what the site still has, plus a spare vial of each."""

        return {
            package: max(
                0, vials + 1 - on_hand(organization=self.org, location=location, package=package)
            )
            for package, vials in wanted.items()
        }

    def give(self, dose: Dose) -> int:
        """Dispense a dose; if the shelf is short, an emergency delivery comes first."""
        drug, patient = dose.order.drug, dose.order.patient
        ref = f"DEMO-{dose.order.pk}-{dose.number}"
        args = {
            "organization": self.org,
            "location": dose.location,
            "drug": drug,
            "dose_mg": dose.mg,
            "patient": patient,
            "user": self.user,
            "visit_ref": ref,
            "at": dose.at,
        }
        try:
            moves = services.stock_dispense_dose(**args)
        except ValidationError:  # the shelf is short: an emergency delivery, then dispense
            vendor = self.vendors["Keystone Specialty Distribution (demo)"]
            self.receive(
                dose.location, self.vials(dose), dose.at - dt.timedelta(minutes=30), vendor
            )
            moves = services.stock_dispense_dose(**args)
        self.partial_waste(dose, moves, ref)
        return 1

    def partial_waste(self, dose: Dose, moves: list[Movement], ref: str) -> None:
        opened = sum((m.mg or Decimal(0) for m in moves), Decimal(0))
        left = opened - dose.mg
        if left <= 0 or not moves:
            return
        last = min(moves, key=lambda m: m.lot.package.strength_mg)
        amount = min(left, last.lot.package.strength_mg).quantize(Decimal("0.1"))
        services.stock_waste(
            lot=last.lot,
            user=self.user,
            mg=amount,
            visit_ref=ref,
            at=dose.at,
        )


def _ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _present(history: _History, places: dict[str, StoragePlace], today: dt.date) -> None:
    """Today's shelf: every stocked drug present, short-dated and expired lots, white bags."""

    main = history.ctx.locations["main"]
    held = Lot.objects.filter(
        organization=history.org, storage_place__location=main, on_hand__gt=0
    ).values_list("package_id", flat=True)
    missing = {
        p: history.rng.randint(2, 4)
        for p in Package.objects.filter(drug__organization=history.org).exclude(pk__in=set(held))
    }
    direct = history.vendors["Allegheny Pharma Direct (demo)"]
    history.receive(main, missing, _ago(3), direct, places["main:Pharmacy refrigerator 2"])
    _short_dated(history, main, today)
    _white_bags(history, today)
    _housekeeping(history, places)


def _receipt(history: _History, place: StoragePlace, package: Package, **kw: Any) -> None:
    vendor = kw.pop("vendor", history.vendors["Three Rivers Wholesale (demo)"])
    at = kw.pop("at")
    line = services.ReceiptLine(
        ndc=package.ndc,
        lot_number=history.lot_number(),
        cost_per_vial=history.costs.get(package.pk, Decimal(0)),
        **kw,
    )
    history.invoices += 1
    services.shipment_receive(
        organization=history.org,
        user=history.user,
        vendor=vendor,
        storage_place=place,
        lines=[line],
        invoice_number=f"DEMO-{at:%y%m%d}-{history.invoices:03d}",
        invoice_date=timezone.localtime(at, place.location.tz).date(),
        at=at,
    )


def _short_dated(history: _History, main: Any, today: dt.date) -> None:
    """Three lots expiring within 60 days, and one vial already expired on a shelf."""
    packages = {p.drug.key: p for p in Package.objects.filter(drug__organization=history.org)}
    fridge = history.fridge[main.pk]
    for days, key in ((24, "iron-sucrose"), (41, "denosumab"), (55, "golimumab-iv")):
        if key in packages:
            expires = today + dt.timedelta(days=days)
            _receipt(history, fridge, packages[key], expires_on=expires, vials=2, at=_ago(6))
    if "zoledronic-acid" in packages:
        shelf = StoragePlace.objects.get(location=main, name="Room-temperature shelf")
        expired = today - dt.timedelta(days=3)
        _receipt(
            history, shelf, packages["zoledronic-acid"], expires_on=expired, vials=1, at=_ago(200)
        )


def _white_bags(history: _History, today: dt.date) -> None:
    """Patient-specific stock a specialty pharmacy shipped for three patients' next doses."""

    pharmacy = history.vendors["Riverbend Specialty Pharmacy (demo)"]
    # White bagging is a commercial plan's mandate: under Medicare Part B a drug given
    # incident to a physician's service is covered only when it is the physician's expense
    # (Medicare Benefit Policy Manual ch. 15 §50.3), so Medicare patients get none.
    orders = (
        TreatmentOrder.objects.filter(
            organization=history.org,
            status=TreatmentOrder.Status.ACTIVE,
            drug__key__in=["ustekinumab-iv", "ivig-privigen", "infliximab"],
            patient__coverages__order=1,
            patient__coverages__payer__kind="commercial",
        )
        .distinct()
        .select_related("patient__home_location", "drug")
    )
    for order in list(orders.order_by("pk"))[:3]:
        location = order.location or order.patient.home_location or history.ctx.locations["main"]
        try:
            mg = order.dose_for_weight(order.weight_kg_at_order, 2)
        except ValueError:
            continue
        sizes = {p.strength_mg: p for p in order.drug.packages.all()}
        for strength, vials in choose_vials(mg, list(sizes)).items():
            services.shipment_receive(
                organization=history.org,
                user=history.user,
                vendor=pharmacy,
                storage_place=history.fridge[location.pk],
                patient=order.patient,
                lines=[
                    services.ReceiptLine(
                        ndc=sizes[strength].ndc,
                        lot_number=history.lot_number(),
                        expires_on=today + dt.timedelta(days=200),
                        vials=vials,
                    )
                ],
                at=_ago(2),
            )


def _housekeeping(history: _History, places: dict[str, StoragePlace]) -> None:
    """A transfer to Eastgate, a broken vial, and last week's count with one variance."""

    main_fridge = places["main:Pharmacy refrigerator 1"]
    found = Lot.objects.filter(storage_place=main_fridge, patient__isnull=True, on_hand__gte=2)
    lots = list(found.order_by("-on_hand", "pk")[:2])
    if lots:
        services.stock_transfer(
            lot=lots[0],
            vials=2,
            to_place=places["eastgate:Refrigerator"],
            user=history.user,
            reason="Eastgate short for Thursday's chairs",
        )
    if len(lots) > 1:
        services.stock_waste(
            lot=lots[1],
            user=history.user,
            vials=1,
            reason="Vial dropped while preparing; glass broke",
        )
    count = services.cycle_count_start(
        organization=history.org,
        location=main_fridge.location,
        storage_place=places["main:Pharmacy refrigerator 2"],
        user=history.user,
    )
    lines = list(count.lines.select_related("lot"))
    counted = {str(line.public_id): line.expected_vials for line in lines}
    if lines:
        counted[str(lines[0].public_id)] = max(0, lines[0].expected_vials - 1)
    services.cycle_count_record(count=count, user=history.user, counted=counted)
    services.cycle_count_complete(count=count, user=history.user)


def _invoices(history: _History, today: dt.date) -> None:
    """Invoices past due were paid a day early, but for one left overdue."""
    overdue = VendorInvoice.objects.filter(
        organization=history.org, due_on__lt=today, paid_on__isnull=True
    ).order_by("-due_on")
    for n, invoice in enumerate(overdue):
        if n == 0 and invoice.due_on >= today - dt.timedelta(days=10):
            continue  # this one is overdue: the payments page shows it in red
        services.invoice_mark_paid(
            invoice=invoice, user=history.user, paid_on=invoice.due_on - dt.timedelta(days=1)
        )


def _purchase_order(history: _History) -> None:
    """One order on its way: what the forecast suggests for the main site, sent today."""

    main = history.ctx.locations["main"]
    vendor = history.vendors["Keystone Specialty Distribution (demo)"]
    forecast = demand_forecast(organization=history.org, location=main, vendor=vendor)
    lines = [
        (row.package, row.suggestion.vials, row.unit_cost or history.costs.get(row.package.pk))
        for row in forecast.rows
        if row.suggestion.vials > 0
    ]
    if not lines:  # nothing booked ahead: replace last week's use of the three busiest items
        lines = [
            (row.package, max(1, round(row.daily_use * 7)), row.unit_cost)
            for row in sorted(forecast.rows, key=lambda r: -r.daily_use)[:3]
        ]
    if not lines:
        return
    order = services.purchase_order_create(
        organization=history.org,
        location=main,
        vendor=vendor,
        user=history.user,
        lines=lines,  # type: ignore[arg-type]
        note="Drafted from the forecast (demo)",
    )
    services.purchase_order_send(order=order, user=history.user)


@transaction.atomic
def seed_inventory(ctx: DemoContext) -> None:
    org = ctx.organizations["riverside"]
    vendors = _vendors(org)
    places = _places(ctx)
    if Movement.objects.filter(organization=org).exists():
        ctx.summary.append("inventory history already present")
        return
    today = timezone.localdate()
    history = _History(ctx, places, vendors)
    given = history.run(today - dt.timedelta(days=HISTORY_DAYS), today)
    _present(history, places, today)
    _invoices(history, today)
    _purchase_order(history)
    lots = Movement.objects.filter(organization=org, kind="receive").count()
    ctx.summary.append(f"inventory: {given} doses dispensed over {HISTORY_DAYS} days, {lots} lots")
