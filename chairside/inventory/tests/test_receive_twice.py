"""Stock received twice (issue 11 item 12): the invoice in the database, white-bag repeats."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from chairside.inventory import services
from chairside.inventory.models import Lot, Movement, VendorInvoice
from chairside.inventory.services import receiving
from chairside.inventory.tests import test_stock_receive as receipts
from chairside.inventory.tests.test_stock_receive import line, receive
from tests.assertions import assert_no_db_changes

TODAY = timezone.localdate


def _existing_invoice(org: Any, vendor: Any, number: str) -> VendorInvoice:
    return VendorInvoice.objects.create(
        organization=org, vendor=vendor, number=number, invoice_date=TODAY(), due_on=TODAY()
    )


class TestInvoiceUniqueIgnoringCase:
    def test_the_database_refuses_the_same_number_in_another_case(
        self, org: Any, vendor: Any
    ) -> None:
        _existing_invoice(org, vendor, "inv-7")
        with pytest.raises(IntegrityError), transaction.atomic():
            _existing_invoice(org, vendor, "INV-7")

    def test_another_vendor_may_use_the_same_number(self, org: Any, vendor: Any) -> None:
        from chairside.inventory.tests import factories as inv

        _existing_invoice(org, vendor, "inv-7")
        _existing_invoice(org, inv.make_vendor(org, name="Other Supply"), "INV-7")
        assert VendorInvoice.objects.count() == 2

    def test_a_concurrent_receipt_gets_a_clear_message_not_a_500(
        self, org: Any, drug: Any, fridge: Any, vendor: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The other receipt committed between our check and our insert: both checks passed.
        _existing_invoice(org, vendor, "inv-1")
        monkeypatch.setattr(receiving, "_earlier_invoice", lambda **kw: None)
        monkeypatch.setattr(VendorInvoice, "validate_constraints", lambda self, exclude=None: None)
        with pytest.raises(ValidationError) as exc:
            receive(org, None, vendor, fridge, [line()], invoice_number="INV-1")
        assert "already received" in exc.value.message_dict["invoice_number"][0]
        assert not Lot.objects.exists()

    def test_the_page_answers_400_when_the_race_is_lost(
        self,
        pharmacist_client: Any,
        *,
        org: Any,
        drug: Any,
        fridge: Any,
        vendor: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        _existing_invoice(org, vendor, "ps-77")
        monkeypatch.setattr(receiving, "_earlier_invoice", lambda **kw: None)
        monkeypatch.setattr(VendorInvoice, "validate_constraints", lambda self, exclude=None: None)
        with assert_no_db_changes(VendorInvoice, Lot, Movement):
            response = pharmacist_client.post(
                reverse("inventory:receive"), receipts.TestReceivePage().form(vendor, fridge)
            )
            assert response.status_code == 400
        assert b"already received" in response.content


def _white_bag(org: Any, fridge: Any, vendor: Any, patient: Any, **kw: Any) -> list[Lot]:
    return services.shipment_receive(
        organization=org,
        user=None,
        vendor=vendor,
        storage_place=fridge,
        lines=[line(cost_per_vial=None, vials=2)],
        patient=patient,
        **kw,
    )


class TestWhiteBagRepeat:
    def test_a_second_receipt_of_the_same_lot_for_the_patient_asks_for_confirmation(
        self, org: Any, drug: Any, fridge: Any, vendor: Any, patient: Any
    ) -> None:
        _white_bag(org, fridge, vendor, patient)
        with pytest.raises(ValidationError) as exc:
            _white_bag(org, fridge, vendor, patient)
        assert "second shipment" in exc.value.message_dict["confirm_repeat"][0]
        assert Lot.objects.count() == 1
        _white_bag(org, fridge, vendor, patient, confirm_repeat=True)
        assert Lot.objects.count() == 2

    def test_a_receipt_more_than_a_day_later_needs_no_confirmation(
        self, org: Any, drug: Any, fridge: Any, vendor: Any, patient: Any
    ) -> None:
        _white_bag(org, fridge, vendor, patient, at=timezone.now() - dt.timedelta(hours=26))
        _white_bag(org, fridge, vendor, patient)
        assert Lot.objects.count() == 2

    def test_another_patient_or_center_stock_needs_no_confirmation(
        self, org: Any, drug: Any, fridge: Any, vendor: Any, patient: Any
    ) -> None:
        from tests import factories as f

        _white_bag(org, fridge, vendor, patient)
        _white_bag(org, fridge, vendor, f.make_patient(org, first_name="Ada", last_name="Byron"))
        receive(org, None, vendor, fridge, [line()])
        receive(org, None, vendor, fridge, [line()], invoice_number="INV-2")
        assert Lot.objects.count() == 4

    def test_the_page_asks_and_the_checkbox_confirms(
        self, pharmacist_client: Any, drug: Any, fridge: Any, vendor: Any, patient: Any
    ) -> None:
        data = receipts.TestReceivePage().form(vendor, fridge, cost_per_vial="")
        data.update({"patient": patient.mrn, "invoice_number": ""})
        assert pharmacist_client.post(reverse("inventory:receive"), data).status_code == 302
        again = pharmacist_client.post(reverse("inventory:receive"), data)
        assert again.status_code == 400
        assert b"Yes, this is a second shipment" in again.content
        assert b"already received" in again.content
        assert Lot.objects.count() == 1
        data["confirm_repeat"] = "on"
        assert pharmacist_client.post(reverse("inventory:receive"), data).status_code == 302
        assert Lot.objects.count() == 2
