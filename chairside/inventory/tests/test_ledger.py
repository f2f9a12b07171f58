"""The ledger is the source of truth: append-only, never negative, and on-hand agrees."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chairside.inventory import selectors, services
from chairside.inventory.models import Lot, Movement, MovementKind
from chairside.inventory.tests import factories as inv
from chairside.rules.inventory.reconciliation import Kind
from tests import factories as f
from tests.factories import someone


class TestLedger:
    def test_it_uses_the_same_kinds_as_the_rules(self) -> None:
        assert {k.value for k in MovementKind} == {k.value for k in Kind}

    def test_it_refuses_to_edit_or_delete_a_movement(self, lot: Any) -> None:
        move = Movement.objects.get(lot=lot)
        move.reason = "edited"
        with pytest.raises(TypeError, match="append-only"):
            move.save()
        with pytest.raises(TypeError, match="append-only"):
            move.delete()
        with pytest.raises(TypeError, match="append-only"):
            Movement.objects.filter(lot=lot).update(vials=99)
        with pytest.raises(TypeError, match="append-only"):
            Movement.objects.filter(lot=lot).delete()

    def test_the_database_refuses_a_negative_on_hand(self, lot: Any) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            Lot.objects.filter(pk=lot.pk).update(on_hand=-1)

    def test_on_hand_always_equals_the_sum_of_the_ledger(
        self, org: Any, fridge: Any, pkg: Any, patient: Any
    ) -> None:
        rng = random.Random(7)
        elsewhere = inv.make_place(f.make_location(org))
        lots = [inv.make_lot(fridge, pkg, vials=rng.randint(1, 12)) for _ in range(4)]
        for step in range(120):
            lot = rng.choice(lots + list(Lot.objects.filter(storage_place=elsewhere)))
            action = rng.choice(["dispense", "waste", "adjust", "transfer", "return"])
            try:
                if action == "dispense":
                    services.stock_dispense(
                        lot=lot, vials=rng.randint(1, 4), patient=patient, user=someone()
                    )
                elif action == "waste":
                    services.stock_waste(lot=lot, vials=1, reason="broken", user=None)
                elif action == "adjust":
                    services.stock_adjust(
                        lot=lot, vials=rng.choice([-2, -1, 1, 3]), reason=f"count {step}", user=None
                    )
                elif action == "transfer":
                    services.stock_transfer(
                        lot=lot, vials=rng.randint(1, 3), to_place=elsewhere, user=None
                    )
                else:
                    services.stock_return(lot=lot, vials=1, reason="recall", user=someone())
            except ValidationError:
                pass  # refused (not enough stock): nothing may have changed
        for lot in Lot.objects.all():
            assert lot.on_hand == selectors.ledger_on_hand(lot) >= 0
            last = lot.movements.order_by("-at", "-id").first()
            assert last is None or last.balance_after == lot.on_hand


class TestRecordedAfterTheFact:
    def test_it_records_an_earlier_time_but_never_before_the_last_movement(
        self, org: Any, fridge: Any, pkg: Any, vendor: Any, patient: Any
    ) -> None:
        import datetime as dt
        from decimal import Decimal

        from django.utils import timezone

        now = timezone.now()
        lot = services.stock_receive(
            organization=org,
            user=someone(),
            storage_place=fridge,
            package=pkg,
            lot_number="LATE1",
            expires_on=timezone.localdate() + dt.timedelta(days=90),
            vials=5,
            cost_per_vial=Decimal(1),
            vendor=vendor,
            at=now - dt.timedelta(hours=2),
        )
        move = services.stock_dispense(
            lot=lot, vials=1, patient=patient, user=someone(), at=now - dt.timedelta(hours=1)
        )
        assert move.at == now - dt.timedelta(hours=1)
        with pytest.raises(ValidationError, match="cannot go before it"):
            services.stock_dispense(
                lot=lot, vials=1, patient=patient, user=someone(), at=now - dt.timedelta(hours=3)
            )
        with pytest.raises(ValidationError, match="future"):
            services.stock_adjust(
                lot=lot, vials=1, reason="x", user=None, at=now + dt.timedelta(hours=1)
            )
