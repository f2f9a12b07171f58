"""Compounding test factories: areas, master formulations, a dose drawn from a lot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chairside.compounding import services
from chairside.compounding.models import CompoundingArea, CompoundingRecord, MasterFormulation
from chairside.tenancy.models import StaffMember
from tests import factories as f


def make_area(location: Any, kind: str = "cleanroom", name: str = "Cleanroom · LAFW 1") -> Any:
    return CompoundingArea.objects.create(
        organization=location.organization, location=location, name=name, kind=kind
    )


def make_staff(org: Any, user: Any, credential: str, first: str, last: str) -> StaffMember:
    """A pharmacy staff member with no license or NPI on file."""
    return f.StaffMemberFactory.create(
        organization=org,
        user=user,
        credential=credential,
        first_name=first,
        last_name=last,
        licensed=False,
    )


def make_formulation(
    org: Any, drug: Any, *, category: str = "category_1", storage: str = "refrigerated", **kw: Any
) -> MasterFormulation:
    kw.setdefault("name", f"{drug.generic_name} in 250 mL 0.9% sodium chloride")
    kw.setdefault("area_kind", "cleanroom")
    return services.formulation_create(
        organization=org,
        user=None,
        drugs=[(drug, kw.pop("amount_mg", None))],
        diluent="0.9% sodium chloride",
        final_volume_ml=Decimal(250),
        category=category,
        storage=storage,
        **kw,
    )


def compound(
    formulation: MasterFormulation,
    *,
    patient: Any,
    area: Any,
    lot: Any,
    user: Any,
    vials: int = 4,
    amount_mg: str = "350",
    started_at: dt.datetime | None = None,
    diluent_expires_on: dt.date | None = None,
) -> CompoundingRecord:
    ingredient = formulation.ingredients.get()
    return services.compounding_record_create(
        organization=formulation.organization,
        user=user,
        formulation=formulation,
        patient=patient,
        area=area,
        draws=[
            services.Draw(ingredient=ingredient, lot=lot, vials=vials, amount_mg=Decimal(amount_mg))
        ],
        diluent_lot="NS2231",
        diluent_expires_on=diluent_expires_on or timezone.localdate() + dt.timedelta(days=300),
        started_at=started_at,
    )
