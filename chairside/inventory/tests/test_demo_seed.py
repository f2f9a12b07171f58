"""The inventory demo step: a believable shelf, written through the services, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from chairside.access.referrals.tests import factories as rf
from chairside.demo import DemoContext
from chairside.demo.inventory import seed_inventory
from chairside.inventory import selectors
from chairside.inventory.models import Lot, Movement, PurchaseOrder, VendorInvoice
from tests import factories as f

JUNE = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)


def context(org: Any) -> DemoContext:
    ctx = DemoContext()
    ctx.organizations["riverside"] = org
    ctx.locations["main"] = f.make_location(org, name="Riverside Main Infusion Suite")
    ctx.locations["eastgate"] = f.make_location(org, name="Eastgate NP-led Infusion Center")
    ctx.users["pharmacist"] = f.make_user(org, "pharmacist")
    rf.formulary(org)
    for key, words, plan in [
        ("infliximab", "Crohn", "medicare_b"),  # first in line for white-bag stock
        ("infliximab", "Crohn", "commercial"),
        ("tocilizumab-iv", "starting", "commercial"),
        ("natalizumab", "", "commercial"),
    ]:
        patient = rf.covered_patient(
            org, plan, weight_kg="72.5", home_location=ctx.locations["main"]
        )
        rf.make_order(patient, key, words)
    return ctx


class TestInventoryDemoStep:
    def test_it_builds_a_shelf_with_history_and_adds_nothing_the_second_time(
        self, org: Any
    ) -> None:
        with time_machine.travel(JUNE):
            ctx = context(org)
            seed_inventory(ctx)
            counts = (Lot.objects.count(), Movement.objects.count(), VendorInvoice.objects.count())
            seed_inventory(ctx)
            assert (
                Lot.objects.count(),
                Movement.objects.count(),
                VendorInvoice.objects.count(),
            ) == counts
            today = timezone.localdate()
            main = ctx.locations["main"]
            assert Movement.objects.filter(
                kind="dispense", at__lt=timezone.now() - dt.timedelta(days=30)
            ).exists()
            assert Movement.objects.filter(kind="waste", vials=0).exists()  # partial vials
            held = set(
                Lot.objects.filter(storage_place__location=main, on_hand__gt=0).values_list(
                    "package__drug", flat=True
                )
            )
            assert held >= set(org_drugs_with_packages(org))
            assert selectors.expiring_lots(organization=org, today=today).exists()
            white_bags = Lot.objects.filter(patient__isnull=False, on_hand__gt=0)
            assert white_bags.exists()
            # Only a commercial plan mandates white bagging; Medicare patients get none.
            assert not white_bags.exclude(
                patient__coverages__order=1, patient__coverages__payer__kind="commercial"
            ).exists()
            assert PurchaseOrder.objects.filter(status="sent").count() == 1
            for lot in Lot.objects.all():
                assert lot.on_hand == selectors.ledger_on_hand(lot)


def org_drugs_with_packages(org: Any) -> list[int]:
    from chairside.formulary.models import Package

    return list(
        Package.objects.filter(drug__organization=org).values_list("drug", flat=True).distinct()
    )
