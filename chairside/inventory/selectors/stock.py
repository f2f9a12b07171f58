"""Read queries for stock, always scoped to one organization."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from chairside.formulary.models import Package
from chairside.inventory.models import (
    CycleCount,
    Lot,
    Movement,
    PurchaseOrder,
    StoragePlace,
    Vendor,
    VendorInvoice,
)
from chairside.inventory.services._ledger import today_at
from chairside.scheduling.selectors import local_day_span
from chairside.tenancy.models import Location

EXPIRY_WARNING_DAYS = 60


def parse_uuid(value: Any) -> uuid.UUID | None:
    """A public id from a URL or form value, or None when it is not one (never a 500)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def location_by_id(*, organization: Any, public_id: Any) -> Any:
    """The organization's site with this public id, or None."""

    wanted = parse_uuid(public_id)
    if wanted is None:
        return None
    return Location.objects.filter(organization=organization, public_id=wanted).first()


def lots(*, organization: Any, location: Any = None, with_stock: bool = True) -> QuerySet[Lot]:
    found = Lot.objects.filter(organization=organization).select_related(
        "package__drug", "storage_place__location", "patient", "vendor", "invoice"
    )
    if location is not None:
        found = found.filter(storage_place__location=location)
    return found.filter(on_hand__gt=0) if with_stock else found


def lot_or_none(*, organization: Any, public_id: Any) -> Lot | None:
    """The organization's lot with this public id, or ``None`` (the API answers)."""
    return Lot.objects.filter(organization=organization, public_id=public_id).first()


def access_vendor(*, organization: Any, public_id: Any) -> Vendor:
    """One vendor of this organization, or 404."""
    return get_object_or_404(Vendor, organization=organization, public_id=public_id)


def access_place(*, organization: Any, public_id: Any) -> StoragePlace:
    """One storage place (fridge, shelf) of this organization, or 404."""
    return get_object_or_404(StoragePlace, organization=organization, public_id=public_id)


def access_lot(*, organization: Any, public_id: Any) -> Lot:
    """The organization's lot with this public id, or 404 — never another organization's."""
    return get_object_or_404(lots(organization=organization, with_stock=False), public_id=public_id)


def access_order(*, organization: Any, public_id: Any) -> PurchaseOrder:
    if parse_uuid(public_id) is None:
        raise Http404("No such purchase order.")
    return get_object_or_404(
        PurchaseOrder.objects.select_related("vendor", "location", "created_by"),
        organization=organization,
        public_id=public_id,
    )


def access_count(*, organization: Any, public_id: Any) -> CycleCount:
    return get_object_or_404(
        CycleCount.objects.select_related("location", "storage_place"),
        organization=organization,
        public_id=public_id,
    )


def access_invoice(*, organization: Any, public_id: Any) -> VendorInvoice:
    return get_object_or_404(
        VendorInvoice.objects.select_related("vendor"),
        organization=organization,
        public_id=public_id,
    )


def storage_places(
    *, organization: Any, location: Any = None, active_only: bool = True
) -> QuerySet[StoragePlace]:
    found = StoragePlace.objects.filter(organization=organization)
    if active_only:
        found = found.filter(is_active=True)
    found = found.select_related("location")
    return found.filter(location=location) if location is not None else found


def vendors(*, organization: Any, active_only: bool = True) -> QuerySet[Vendor]:
    found = Vendor.objects.filter(organization=organization)
    return found.filter(is_active=True) if active_only else found


def order_vendors(*, organization: Any) -> QuerySet[Vendor]:
    """The active vendors a purchase order may go to (a specialty pharmacy ships to the
    patient's name and is not ordered from here)."""
    return Vendor.objects.filter(organization=organization, is_active=True).exclude(
        kind=Vendor.Kind.SPECIALTY_PHARMACY
    )


def vendor_or_none(*, organization: Any, public_id: Any) -> Vendor | None:
    """The organization's vendor with this public id (active or not), or ``None``."""
    return Vendor.objects.filter(organization=organization, public_id=public_id).first()


def packages_by_id(*, organization: Any, public_ids: list[uuid.UUID]) -> QuerySet[Package]:
    """The organization's drug packages with these public ids."""
    return Package.objects.filter(drug__organization=organization, public_id__in=public_ids)


def lot_history(lot: Lot) -> QuerySet[Movement]:
    return lot.movements.select_related("user", "patient", "related__lot__storage_place")


def on_hand(
    *,
    organization: Any,
    location: Any = None,
    package: Any = None,
    drug: Any = None,
    patient: Any = None,
) -> int:
    """Vials on hand: the center's stock, plus ``patient``'s own stock when given."""
    found = Lot.objects.filter(organization=organization)
    if location is not None:
        found = found.filter(storage_place__location=location)
    if package is not None:
        found = found.filter(package=package)
    if drug is not None:
        found = found.filter(package__drug=drug)
    owner = Q(patient__isnull=True)
    if patient is not None:
        owner |= Q(patient=patient)
    found = found.filter(owner)
    return int(found.aggregate(total=Sum("on_hand"))["total"] or 0)


def ledger_on_hand(lot: Lot, at: dt.datetime | None = None) -> int:
    """The lot's on-hand from the ledger alone (the source of truth), now or at ``at``."""
    moves = lot.movements.all()
    if at is not None:
        moves = moves.filter(at__lte=at)
    return int(moves.aggregate(total=Sum("vials"))["total"] or 0)


@dataclass
class PackageStock:
    package: Any
    vials: int = 0
    value: Decimal = Decimal(0)
    white_bag_vials: int = 0

    @property
    def mg(self) -> Decimal:
        return Decimal(self.package.strength_mg) * (self.vials + self.white_bag_vials)


@dataclass
class DrugStock:
    """One drug at one site: vials by package, milligrams, value at cost, first expiry."""

    location: Any
    drug: Any
    packages: dict[int, PackageStock] = field(default_factory=dict)
    first_expiry: dt.date | None = None
    lot_count: int = 0

    @property
    def vials(self) -> int:
        return sum(p.vials for p in self.packages.values())

    @property
    def white_bag_vials(self) -> int:
        return sum(p.white_bag_vials for p in self.packages.values())

    @property
    def mg(self) -> Decimal:
        return sum((p.mg for p in self.packages.values()), Decimal(0))

    @property
    def value(self) -> Decimal:
        return sum((p.value for p in self.packages.values()), Decimal(0))


def stock_summary(*, organization: Any, location: Any = None) -> list[DrugStock]:
    """Stock on hand by site and drug (center stock valued at cost; white-bag apart)."""
    rows: dict[tuple[int, int], DrugStock] = {}
    for lot in lots(organization=organization, location=location):
        place = lot.storage_place.location
        row = rows.setdefault(
            (place.pk, lot.package.drug_id), DrugStock(location=place, drug=lot.package.drug)
        )
        line = row.packages.setdefault(lot.package_id, PackageStock(package=lot.package))
        if lot.patient_id:
            line.white_bag_vials += lot.on_hand
        else:
            line.vials += lot.on_hand
            line.value += lot.value
        row.lot_count += 1
        if row.first_expiry is None or lot.expires_on < row.first_expiry:
            row.first_expiry = lot.expires_on
    return sorted(rows.values(), key=lambda r: (r.location.name, r.drug.generic_name))


def expiring_lots(
    *, organization: Any, today: dt.date, within_days: int = EXPIRY_WARNING_DAYS
) -> QuerySet[Lot]:
    """Lots with stock that expire within ``within_days`` (or already have)."""
    return (
        lots(organization=organization)
        .filter(expires_on__lte=today + dt.timedelta(days=within_days))
        .order_by("expires_on")
    )


def expired_on_shelf(*, organization: Any, today: dt.date) -> list[Lot]:
    """Lots with vials left whose expiry has passed where they are kept (the site's day)."""

    found = expiring_lots(organization=organization, today=today, within_days=1)
    return [lot for lot in found if lot.is_expired_on(today_at(lot.storage_place.location))]


def inventory_value(*, organization: Any, location: Any = None) -> Decimal:
    found = lots(organization=organization, location=location).filter(patient__isnull=True)
    total = found.aggregate(total=Sum(F("on_hand") * F("cost_per_vial")))["total"]
    return Decimal(str(total or 0)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class InvoiceDue:
    invoice: VendorInvoice
    amount: Decimal
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def payments_due(*, organization: Any, today: dt.date, within_days: int = 60) -> list[InvoiceDue]:
    """Unpaid vendor invoices due within ``within_days`` (and overdue ones), soonest first."""
    invoices = (
        VendorInvoice.objects.filter(
            organization=organization,
            paid_on__isnull=True,
            due_on__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("vendor")
        .prefetch_related("lots")
        .order_by("due_on")
    )
    return [InvoiceDue(i, i.amount, (i.due_on - today).days) for i in invoices]


def value_by_drug(*, organization: Any) -> list[tuple[Any, Decimal, int]]:
    """(drug, value at cost, vials) of the center's stock, the largest value first."""
    totals: dict[Any, list[Any]] = defaultdict(lambda: [Decimal(0), 0])
    for lot in lots(organization=organization).filter(patient__isnull=True):
        totals[lot.package.drug][0] += lot.value
        totals[lot.package.drug][1] += lot.on_hand
    return sorted(((d, v, n) for d, (v, n) in totals.items()), key=lambda r: -r[1])


def purchase_orders(*, organization: Any) -> QuerySet[PurchaseOrder]:
    return (
        PurchaseOrder.objects.filter(organization=organization)
        .select_related("vendor", "location")
        .prefetch_related("lines__package__drug", "lines__lots")
    )


def cycle_counts(*, organization: Any) -> QuerySet[CycleCount]:
    return CycleCount.objects.filter(organization=organization).select_related(
        "location", "storage_place", "started_by"
    )


def movements(
    *,
    organization: Any,
    lot: Any = None,
    kind: str = "",
    location: Any = None,
    patient: Any = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Movement]:
    """The organization's stock ledger (lot, site and patient by public id; the dates are
    days at the lot's site), newest first, then id: a stable order for paging."""

    found = Movement.objects.filter(organization=organization).select_related(
        "lot__package__drug", "lot__storage_place__location", "user", "patient"
    )
    if lot is not None:
        found = found.filter(lot__public_id=lot)
    if kind:
        found = found.filter(kind=kind)
    if location is not None:
        found = found.filter(lot__storage_place__location__public_id=location)
    if patient is not None:
        found = found.filter(patient__public_id=patient)
    span = local_day_span(
        organization=organization,
        column="at",
        start=start,
        end=end,
        site="lot__storage_place__location",
    )
    return found.filter(span).order_by("-at", "-id")
