"""Fifty nurses, one lot: concurrent dispenses never take more vials than the lot holds."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chairside.inventory import selectors, services
from chairside.inventory.models import Lot
from chairside.inventory.tests import factories as inv
from tests import factories as f
from tests.factories import someone

THREADS = 50
VIALS = 60

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under real concurrency need PostgreSQL (SQLite serialises every writer "
    "with IMMEDIATE transactions, so there is no race to test there)",
)


@pytest.mark.postgres_only
@on_postgres
@pytest.mark.django_db(transaction=True)
class TestFiftyConcurrentDispenses:
    def test_they_never_take_more_vials_than_the_lot_holds(self) -> None:
        org = f.make_org("Race Test")
        location = f.make_location(org)
        lot = inv.make_lot(inv.make_place(location), inv.package(inv.make_drug(org)), vials=VIALS)
        patients = [f.make_patient(org) for _ in range(THREADS)]
        wanted = [random.Random(n).randint(1, 3) for n in range(THREADS)]  # 1-3 vials each
        start = threading.Barrier(THREADS)
        taken: list[int] = []
        refused: list[str] = []

        def dispense(patient: Any, vials: int) -> None:
            try:
                start.wait()
                services.stock_dispense(lot=lot, vials=vials, patient=patient, user=someone())
                taken.append(vials)
            except ValidationError as exc:
                refused.append(exc.messages[0])
            finally:
                connection.close()

        threads = [
            threading.Thread(target=dispense, args=(p, n))
            for p, n in zip(patients, wanted, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        lot = Lot.objects.get(pk=lot.pk)
        assert sum(wanted) > VIALS  # more was asked for than the lot holds
        assert len(taken) + len(refused) == THREADS
        assert sum(taken) <= VIALS
        assert lot.on_hand == VIALS - sum(taken) == selectors.ledger_on_hand(lot) >= 0
        assert all("on hand" in message for message in refused)
        assert refused  # some had to be refused
