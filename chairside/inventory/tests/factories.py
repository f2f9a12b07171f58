"""Inventory test factories: storage places, vendors, drugs with real packages, lots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chairside.formulary.models import Drug, Package
from chairside.inventory.models import Lot, StoragePlace, Vendor
from tests import factories as f

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
    """The drug of ``spec`` with its packages, keyed as the reference formulary keys it."""
    fields = {k: v for k, v in spec.items() if k != "packages"}
    return f.DrugFactory.create(organization=org, packages=spec["packages"], **fields)


def package(drug: Drug, strength: str = "100") -> Package:
    return drug.packages.get(strength_mg=Decimal(strength))


def make_place(location: Any, name: str | None = None, **kw: Any) -> StoragePlace:
    """A medication refrigerator at the location (``kind=`` another kind)."""
    if name is not None:
        kw["name"] = name
    return f.StoragePlaceFactory.create(location=location, **kw)


def make_vendor(org: Any, **kw: Any) -> Vendor:
    """A new distributor, net 30, next-day delivery."""
    return f.VendorFactory.create(organization=org, **kw)


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
    """Vials received today, expiring in ``expires_in`` days, from a new distributor (or
    the patient's own supply)."""
    kw: dict[str, Any] = {"lot_number": lot_number} if lot_number else {}
    if not patient:
        kw["cost_per_vial"] = Decimal(cost)
    if vendor is not None:
        kw["vendor"] = vendor
    return f.LotFactory.create(
        storage_place=place,
        package=pkg,
        expires_on=timezone.localdate() + dt.timedelta(days=expires_in),
        vials=vials,
        patient=patient,
        user=user,
        **kw,
    )


def noon(lot: Lot, day: dt.date) -> dt.datetime:
    """Midday at the lot's site: a time-travel target that is ``day`` in every zone."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=lot.storage_place.location.tz)
