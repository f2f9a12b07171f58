"""Inventory test factories: storage places, vendors, drugs with real packages, lots."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chairside.formulary.models import Drug, Package
from chairside.inventory import services
from chairside.inventory.models import Lot, StoragePlace, Vendor

_seq = itertools.count(1)

# Facts from chairside/formulary/data/formulary.json (FDA labels, How Supplied).
INFLIXIMAB = {
    "key": "infliximab",
    "generic_name": "infliximab",
    "brand_name": "Remicade",
    "hcpcs": "J1745",
    "billing_unit_mg": Decimal("10"),
    "admin_category": "chemo",
    "packages": [("57894003001", "100 mg lyophilized powder, single-dose vial", "100")],
}
TOCILIZUMAB = {
    "key": "tocilizumab-iv",
    "generic_name": "tocilizumab",
    "brand_name": "Actemra",
    "hcpcs": "J3262",
    "billing_unit_mg": Decimal("1"),
    "admin_category": "chemo",
    "packages": [
        ("50242013501", "80 mg/4 mL single-dose vial", "80"),
        ("50242013601", "200 mg/10 mL single-dose vial", "200"),
        ("50242013701", "400 mg/20 mL single-dose vial", "400"),
    ],
}


def make_drug(org: Any, spec: dict[str, Any] = INFLIXIMAB) -> Drug:
    fields = {k: v for k, v in spec.items() if k != "packages"}
    drug = Drug.objects.create(organization=org, **fields)
    for ndc11, description, strength in spec["packages"]:
        Package.objects.create(
            drug=drug, ndc11=ndc11, description=description, strength_mg=Decimal(strength)
        )
    return drug


def package(drug: Drug, strength: str = "100") -> Package:
    return drug.packages.get(strength_mg=Decimal(strength))


def make_place(location: Any, name: str | None = None, **kw: Any) -> StoragePlace:
    kw.setdefault("kind", StoragePlace.Kind.REFRIGERATOR)
    return StoragePlace.objects.create(
        organization=location.organization,
        location=location,
        name=name or f"Fridge {next(_seq)}",
        **kw,
    )


def make_vendor(org: Any, **kw: Any) -> Vendor:
    kw.setdefault("name", f"Specialty Distributor {next(_seq)}")
    kw.setdefault("payment_terms_days", 30)
    kw.setdefault("lead_time_days", 1)
    return Vendor.objects.create(organization=org, **kw)


def make_lot(
    place: StoragePlace,
    pkg: Package,
    *,
    vials: int = 10,
    expires_in: int = 180,
    cost: str = "330.00",
    vendor: Vendor | None = None,
    patient: Any = None,
    user: Any = None,
    lot_number: str | None = None,
) -> Lot:
    org = place.organization
    return services.stock_receive(
        organization=org,
        user=user,
        storage_place=place,
        package=pkg,
        lot_number=lot_number or f"L{next(_seq):05d}",
        expires_on=timezone.localdate() + dt.timedelta(days=expires_in),
        vials=vials,
        cost_per_vial=None if patient else Decimal(cost),
        vendor=vendor or (None if patient else make_vendor(org)),
        patient=patient,
    )


def noon(lot: Lot, day: dt.date) -> dt.datetime:
    """Midday at the lot's site: a time-travel target that is ``day`` in every zone."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=lot.storage_place.location.tz)
