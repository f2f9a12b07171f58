"""Waste, transfer, adjust, return and expire: the lot actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.inventory import services
from chairside.inventory.models import Lot, Movement
from chairside.inventory.tests import factories as inv
from chairside.inventory.tests.factories import noon
from tests import factories as f
from tests.factories import someone


class TestStockWaste:
    def test_it_removes_broken_whole_vials_with_a_reason(self, lot: Any) -> None:
        move = services.stock_waste(lot=lot, user=None, vials=2, reason="Dropped, vial cracked")
        lot.refresh_from_db()
        assert (lot.on_hand, move.vials, move.mg) == (8, -2, Decimal("200.000"))

    def test_it_needs_a_reason_for_whole_vials(self, lot: Any) -> None:
        with pytest.raises(ValidationError, match="Say why"):
            services.stock_waste(lot=lot, user=None, vials=1)

    def test_it_records_the_discarded_part_of_an_opened_vial_against_its_visit(
        self, lot: Any, patient: Any
    ) -> None:
        services.stock_dispense(lot=lot, vials=4, patient=patient, user=someone(), visit_ref="V-7")
        move = services.stock_waste(lot=lot, user=None, mg="32.5", visit_ref="V-7")
        lot.refresh_from_db()
        assert lot.on_hand == 6  # the vial was already dispensed
        assert (move.vials, move.mg, move.patient) == (0, Decimal("32.500"), patient)
        assert move.related is not None
        assert move.related.kind == "dispense"

    def test_it_refuses_more_than_was_left_in_the_vial(self, lot: Any, patient: Any) -> None:
        services.stock_dispense(lot=lot, vials=1, patient=patient, user=someone(), visit_ref="V-8")
        with pytest.raises(ValidationError, match="more than was left"):
            services.stock_waste(lot=lot, user=None, mg="120", visit_ref="V-8")

    def test_it_refuses_a_partial_waste_with_no_dispense_for_the_visit(self, lot: Any) -> None:
        with pytest.raises(ValidationError, match="No vial of lot A100 was dispensed"):
            services.stock_waste(lot=lot, user=None, mg="10", visit_ref="V-X")


class TestStockTransfer:
    def test_it_moves_vials_to_another_site_keeping_the_lot(
        self, org: Any, lot: Any, pharmacist: Any
    ) -> None:
        other_site = inv.make_place(f.make_location(org, name="Eastgate"), "Eastgate fridge")
        out, inward = services.stock_transfer(
            lot=lot, vials=3, to_place=other_site, user=pharmacist
        )
        lot.refresh_from_db()
        there = inward.lot
        assert (lot.on_hand, there.on_hand) == (7, 3)
        assert (there.lot_number, there.expires_on, there.origin) == (
            lot.lot_number,
            lot.expires_on,
            lot,
        )
        assert inward.related == out
        back_out, back_in = services.stock_transfer(
            lot=there, vials=1, to_place=lot.storage_place, user=None
        )
        assert back_in.lot == lot  # home again: the same lot row, not a third one
        assert Lot.objects.count() == 2

    def test_it_refuses_more_than_on_hand_and_saves_nothing(self, org: Any, lot: Any) -> None:
        other_site = inv.make_place(f.make_location(org))
        with pytest.raises(ValidationError, match="Only 10 vials"):
            services.stock_transfer(lot=lot, vials=11, to_place=other_site, user=None)
        assert Movement.objects.filter(kind__startswith="transfer").count() == 0
        assert Lot.objects.count() == 1

    def test_the_page_shows_the_message_for_too_many(
        self, pharmacist_client: Any, org: Any, lot: Any
    ) -> None:
        other_site = inv.make_place(f.make_location(org))
        response = pharmacist_client.post(
            reverse("inventory:lot_transfer", args=[lot.public_id]),
            {"vials": "12", "to_place": other_site.pk, "reason": ""},
        )
        assert response.status_code == 400
        assert b"Only 10 vials" in response.content
        assert not Movement.objects.filter(lot=lot, kind="transfer_out").exists()
        assert Lot.objects.get(pk=lot.pk).on_hand == 10 and Lot.objects.count() == 1


class TestStockAdjustReturnExpire:
    def test_it_adjusts_with_a_reason_either_way(self, lot: Any) -> None:
        services.stock_adjust(lot=lot, vials="-3", reason="Found broken in the fridge", user=None)
        services.stock_adjust(lot=lot, vials=1, reason="Found behind the drawer", user=None)
        lot.refresh_from_db()
        assert lot.on_hand == 8

    @pytest.mark.parametrize(
        ("vials", "reason", "message"),
        [("2", "", "needs a reason"), ("0", "x", "changes nothing"), ("-11", "x", "Only 10")],
    )
    def test_it_refuses_a_bad_adjustment(
        self, lot: Any, vials: str, reason: str, message: str
    ) -> None:
        with pytest.raises(ValidationError, match=message):
            services.stock_adjust(lot=lot, vials=vials, reason=reason, user=None)

    def test_it_returns_vials_to_the_vendor(self, lot: Any) -> None:
        services.stock_return(lot=lot, vials=10, reason="Manufacturer recall", user=someone())
        lot.refresh_from_db()
        assert lot.on_hand == 0

    def test_it_takes_an_expired_lot_off_the_shelf_only_once_expired(self, lot: Any) -> None:
        with pytest.raises(ValidationError, match="may be used until"):
            services.stock_expire(lot=lot, user=someone())
        with time_machine.travel(noon(lot, lot.expires_on + dt.timedelta(days=2))):
            move = services.stock_expire(lot=lot, user=someone())
        assert move.vials == -10
