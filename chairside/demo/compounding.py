"""Demo compounding (issue 18): the main suite's cleanroom and segregated compounding area,
three master formulations "(demo)", and today's compounded doses for patients on those
drugs — prepared by the pharmacy technician (log-in ``lortega``) from the demo lots, most of
them verified by the pharmacist. Written through the services, so stock leaves the ledger
and the BUDs follow USP <797>. The formulations carry no label stability limit: a real
pharmacy records the product label's in-use stability on each one.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from chairside.access.referrals.models import TreatmentOrder
from chairside.compounding import selectors, services
from chairside.compounding.models import CompoundingArea, CompoundingRecord, MasterFormulation
from chairside.demo import DemoContext
from chairside.demo.inventory import _History, _places, _vendors
from chairside.demo.keys import DEMO_PASSWORD
from chairside.formulary.models import Drug, Package
from chairside.tenancy.models import Membership

TECHNICIAN = "lortega"
# (name, drug generic name, fixed mg or None for the ordered dose, volume mL, category,
# storage, area kind)
FORMULATIONS: list[tuple[str, str, Decimal | None, int, str, str, str]] = [
    (
        "Infliximab in 250 mL 0.9% sodium chloride (demo)",
        "infliximab",
        None,
        250,
        "category_1",
        "refrigerated",
        "segregated",
    ),
    (
        "Tocilizumab in 100 mL 0.9% sodium chloride (demo)",
        "tocilizumab",
        None,
        100,
        "category_1",
        "refrigerated",
        "cleanroom",
    ),
    (
        "Iron sucrose 200 mg in 100 mL 0.9% sodium chloride (demo)",
        "iron sucrose",
        Decimal(200),
        100,
        "immediate_use",
        "room",
        "unclassified",
    ),
]
# Doses made today: (formulation index, mg) — weight-based doses of a 70 kg adult.
DOSES: list[tuple[int, Decimal]] = [(0, Decimal(350)), (1, Decimal(560)), (0, Decimal(400))]


def _technician(ctx: DemoContext) -> Any:
    org = ctx.organizations["riverside"]
    user, created = get_user_model().objects.get_or_create(
        username=TECHNICIAN, defaults={"email": f"{TECHNICIAN}@example.org"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": "pharmacist"})
    staff = ctx.staff.get("Luis Ortega")
    if staff is not None and staff.user_id is None:
        staff.user = user
        staff.save(update_fields=["user", "updated_at"])
    ctx.users[TECHNICIAN] = user
    return user


def _areas(ctx: DemoContext) -> dict[str, CompoundingArea]:
    org, main = ctx.organizations["riverside"], ctx.locations["main"]
    found = {}
    for name, kind in (
        ("Cleanroom suite · LAFW 1", "cleanroom"),
        ("Segregated compounding area · BSC 1", "segregated"),
        ("Chair-side prep counter", "unclassified"),
    ):
        found[kind], _ = CompoundingArea.objects.get_or_create(
            organization=org, location=main, name=name, defaults={"kind": kind}
        )
    return found


def _formulations(org: Any) -> list[MasterFormulation]:
    made = []
    for name, generic, amount, volume, category, storage, area in FORMULATIONS:
        existing = MasterFormulation.objects.filter(organization=org, name=name).first()
        drug = Drug.objects.filter(organization=org, generic_name=generic).first()
        if existing is None and drug is not None:
            existing = services.formulation_create(
                organization=org,
                user=None,
                name=name,
                drugs=[(drug, amount)],
                diluent="0.9% sodium chloride",
                final_volume_ml=Decimal(volume),
                category=category,
                storage=storage,
                area_kind=area,
                is_demo=True,
                instructions="Demo formulation: record the product label's preparation steps "
                "and in-use stability before use.",
            )
        if existing is not None:
            made.append(existing)
    return made


def _draw(org: Any, formulation: MasterFormulation, area: Any, mg: Decimal) -> Any:
    ingredient = formulation.ingredients.select_related("drug").get()
    day = timezone.localdate(timezone=area.location.tz)
    lots = selectors.usable_lots(
        organization=org, location=area.location, drug=ingredient.drug, day=day
    )
    for lot in sorted(lots, key=lambda x: -x.package.strength_mg):
        vials = math.ceil(mg / lot.package.strength_mg)
        if lot.on_hand >= vials:
            return services.Draw(ingredient=ingredient, lot=lot, vials=vials, amount_mg=mg)
    return None


def _stock_for_compounding(ctx: DemoContext, formulations: list[MasterFormulation]) -> None:
    """This morning's demo delivery of the vials for today's compounded doses, so that they
    never take vials the demo history used or reserved for booked patients."""
    wanted: dict[Package, int] = {}
    for index, mg in DOSES:
        if index >= len(formulations):
            continue
        drug = formulations[index].ingredients.get().drug
        package = drug.packages.order_by("-strength_mg").first()
        if package is not None:
            wanted[package] = wanted.get(package, 0) + math.ceil(mg / package.strength_mg)
    org = ctx.organizations["riverside"]
    vendors = _vendors(org)
    history = _History(ctx, _places(ctx), vendors)
    history.rng = random.Random("riverside-compounding-stock")
    history.invoices = 100  # DEMO-<day>-101: apart from the panel's delivery of the same day
    at = timezone.now() - dt.timedelta(hours=3)
    history.receive(
        ctx.locations["main"], wanted, at, vendors["Keystone Specialty Distribution (demo)"]
    )


def seed_compounding(ctx: DemoContext) -> None:
    org = ctx.organizations["riverside"]
    technician = _technician(ctx)
    areas = _areas(ctx)
    formulations = _formulations(org)
    if CompoundingRecord.objects.filter(organization=org, is_demo=True).exists():
        ctx.summary.append("compounding already present")
        return
    _stock_for_compounding(ctx, formulations)
    made = 0
    skipped: list[str] = []
    for n, (index, mg) in enumerate(DOSES):
        if index >= len(formulations):
            continue
        formulation = formulations[index]
        area = areas[formulation.area_kind]
        order = (
            TreatmentOrder.objects.filter(
                organization=org, drug=formulation.ingredients.get().drug, status="active"
            )
            .select_related("patient")
            .order_by("pk")[n : n + 1]
            .first()
        )
        draw = _draw(org, formulation, area, mg)
        if order is None or draw is None:
            skipped.append(f"{formulation.name}: no {'order' if order is None else 'lot'}")
            continue
        try:
            record = services.compounding_record_create(
                organization=org,
                user=technician,
                formulation=formulation,
                patient=order.patient,
                area=area,
                draws=[draw],
                diluent_lot="DMNS2231",
                diluent_expires_on=timezone.localdate() + dt.timedelta(days=400),
                started_at=timezone.now() - dt.timedelta(minutes=90 - 30 * n),
                notes="Demo dose (synthetic).",
                is_demo=True,
            )
        except ValidationError as exc:  # e.g. the demo stock is reserved for booked doses
            skipped.append(f"{formulation.name}: {'; '.join(exc.messages)}")
            continue
        made += 1
        if n < len(DOSES) - 1:  # the last one waits for the pharmacist
            services.compounding_record_verify(
                record=record,
                user=technician,
                username="pharmacist",
                password=DEMO_PASSWORD,
                ip_address=None,
            )
    ctx.summary.append(f"compounding: {len(formulations)} formulations, {made} doses today")
    ctx.summary += [f"compounding skipped {why}" for why in skipped]
