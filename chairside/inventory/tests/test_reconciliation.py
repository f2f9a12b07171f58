from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.urls import reverse

from chairside.inventory import selectors, services
from chairside.inventory.tests import factories as inv
from tests import factories as f


class TestReconciliation:
    def test_it_balances_each_drug_and_names_who_got_each_vial(
        self, org: Any, location: Any, fridge: Any, *, pkg: Any, patient: Any, pharmacist: Any
    ) -> None:
        tz = location.tz
        with time_machine.travel(dt.datetime(2026, 2, 20, 10, tzinfo=tz)):
            lot = inv.make_lot(fridge, pkg, vials=10, lot_number="R1")
        with time_machine.travel(dt.datetime(2026, 3, 3, 10, tzinfo=tz)):
            inv.make_lot(fridge, pkg, vials=6, lot_number="R2")
            services.stock_dispense(
                lot=lot, vials=4, patient=patient, user=pharmacist, visit_ref="V1"
            )
            services.stock_waste(lot=lot, user=pharmacist, mg="30", visit_ref="V1")
            services.stock_waste(lot=lot, user=pharmacist, vials=1, reason="cracked")
            other = inv.make_place(f.make_location(org), "Other fridge")
            services.stock_transfer(lot=lot, vials=2, to_place=other, user=pharmacist)
        with time_machine.travel(dt.datetime(2026, 4, 2, 10, tzinfo=tz)):
            services.stock_dispense(lot=lot, vials=1, patient=patient, user=pharmacist)
        rows = selectors.reconciliation(
            organization=org, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), location=location
        )
        (row,) = rows
        assert (row.check.opening, row.received, row.dispensed, row.wasted, row.transfer_out) == (
            10,
            6,
            4,
            1,
            2,
        )
        assert row.check.closing == 9
        assert row.check.balanced
        assert row.partial_waste_mg == 30
        assert [(m.patient, m.vial_count) for m in row.dispenses] == [(patient, 4)]

    def test_all_sites_together_see_a_transfer_as_in_and_out(
        self, org: Any, lot: Any, pharmacist: Any
    ) -> None:
        other = inv.make_place(f.make_location(org), "Other fridge")
        services.stock_transfer(lot=lot, vials=3, to_place=other, user=pharmacist)
        today = lot.received_on
        (row,) = selectors.reconciliation(organization=org, start=today, end=today)
        assert (row.transfer_in, row.transfer_out, row.check.closing) == (3, 3, 10)
        assert row.check.balanced

    def test_the_page_shows_last_month_by_default_and_a_chosen_period(
        self, pharmacist_client: Any, lot: Any
    ) -> None:
        assert pharmacist_client.get(reverse("inventory:reconciliation")).status_code == 200
        today = lot.received_on.isoformat()
        response = pharmacist_client.get(
            reverse("inventory:reconciliation"), {"start": today, "end": today}
        )
        assert b"infliximab" in response.content and b"balanced" in response.content

    def test_a_period_that_ends_before_it_starts_is_refused(self, pharmacist_client: Any) -> None:
        response = pharmacist_client.get(
            reverse("inventory:reconciliation"), {"start": "2026-03-10", "end": "2026-03-01"}
        )
        assert response.status_code == 400
        assert b"ends before it starts" in response.content
