from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chairside.inventory import selectors, services
from chairside.inventory.models import PurchaseOrder, VendorInvoice
from tests.factories import someone

FRIDAY = dt.date(2026, 3, 6)


@pytest.fixture
def order(org: Any, location: Any, lot: Any, pharmacist: Any) -> PurchaseOrder:
    return services.purchase_order_create(
        organization=org,
        location=location,
        vendor=lot.vendor,
        user=pharmacist,
        lines=[(lot.package, 6, Decimal("330.00"))],
    )


class TestPurchaseOrder:
    def test_it_numbers_drafts_in_sequence(
        self, org: Any, location: Any, lot: Any, order: Any
    ) -> None:
        second = services.purchase_order_create(
            organization=org,
            location=location,
            vendor=lot.vendor,
            user=None,
            lines=[(lot.package, 1, Decimal(1))],
        )
        year = timezone.localdate().year
        assert (order.number, second.number) == (f"PO-{year}-0001", f"PO-{year}-0002")

    def test_a_friday_order_is_expected_on_monday(
        self, order: PurchaseOrder, location: Any
    ) -> None:
        with time_machine.travel(dt.datetime.combine(FRIDAY, dt.time(10), tzinfo=location.tz)):
            sent = services.purchase_order_send(order=order, user=None)
        assert (sent.status, sent.ordered_on, sent.expected_on) == (
            "sent",
            FRIDAY,
            FRIDAY + dt.timedelta(days=3),
        )

    def test_receiving_against_it_tracks_what_came(
        self, org: Any, order: PurchaseOrder, fridge: Any, pharmacist: Any
    ) -> None:
        services.purchase_order_send(order=order, user=pharmacist)
        line = services.ReceiptLine(
            ndc=order.lines.get().package.ndc,
            lot_number="P1",
            expires_on=timezone.localdate() + dt.timedelta(days=200),
            vials=4,
            cost_per_vial=Decimal("330.00"),
        )
        args = {
            "organization": org,
            "user": pharmacist,
            "vendor": order.vendor,
            "storage_place": fridge,
        }
        services.shipment_receive(**args, lines=[line], invoice_number="I-1", purchase_order=order)
        order.refresh_from_db()
        assert order.status == "partial"
        assert order.lines.get().vials_outstanding == 2
        again = services.ReceiptLine(**{**line.__dict__, "lot_number": "P2", "vials": 2})
        services.shipment_receive(**args, lines=[again], invoice_number="I-2", purchase_order=order)
        order.refresh_from_db()
        assert order.status == "received"

    def test_it_cannot_be_received_while_a_draft(
        self, org: Any, order: PurchaseOrder, fridge: Any
    ) -> None:
        with pytest.raises(ValidationError, match="is draft: only an order sent"):
            services.shipment_receive(
                organization=org,
                user=None,
                vendor=order.vendor,
                storage_place=fridge,
                lines=[],
                purchase_order=order,
            )

    def test_it_refuses_an_order_of_nothing(self, org: Any, location: Any, lot: Any) -> None:
        with pytest.raises(ValidationError, match="at least one vial"):
            services.purchase_order_create(
                organization=org,
                location=location,
                vendor=lot.vendor,
                user=None,
                lines=[(lot.package, 0, Decimal(1))],
            )

    def test_it_cancels_with_a_reason(self, order: PurchaseOrder) -> None:
        with pytest.raises(ValidationError, match="Say why"):
            services.purchase_order_cancel(order=order, user=someone(), reason=" ")
        assert (
            services.purchase_order_cancel(
                order=order, user=someone(), reason="ordered twice"
            ).status
            == "cancelled"
        )


class TestOrderPages:
    def test_the_order_prints_with_its_lines_and_total(
        self, pharmacist_client: Any, order: PurchaseOrder
    ) -> None:
        response = pharmacist_client.get(reverse("inventory:order", args=[order.public_id]))
        assert b"57894-0030-01" in response.content
        assert b"$1,980.00" in response.content

    def test_it_is_sent_from_its_page(self, pharmacist_client: Any, order: PurchaseOrder) -> None:
        pharmacist_client.post(reverse("inventory:order_send", args=[order.public_id]))
        order.refresh_from_db()
        assert order.status == "sent"


class TestPayments:
    def test_invoices_come_due_after_the_vendor_terms_and_can_be_paid(
        self, org: Any, lot: Any, pharmacist_client: Any
    ) -> None:
        invoice = VendorInvoice.objects.create(
            organization=org,
            vendor=lot.vendor,
            number="INV-9",
            invoice_date=timezone.localdate() - dt.timedelta(days=40),
            due_on=timezone.localdate() - dt.timedelta(days=10),
        )
        lot_due = selectors.payments_due(organization=org, today=timezone.localdate())
        assert [d.invoice for d in lot_due] == [invoice]
        assert lot_due[0].overdue
        page = pharmacist_client.get(reverse("inventory:money"))
        assert b"INV-9" in page.content
        pharmacist_client.post(reverse("inventory:invoice_paid", args=[invoice.public_id]))
        invoice.refresh_from_db()
        assert invoice.paid_on == timezone.localdate()
        assert selectors.payments_due(organization=org, today=timezone.localdate()) == []

    def test_cash_tied_up_is_center_stock_at_cost(
        self, org: Any, lot: Any, fridge: Any, patient: Any
    ) -> None:
        from chairside.inventory.tests import factories as inv

        inv.make_lot(fridge, lot.package, vials=5, patient=patient)
        assert selectors.inventory_value(organization=org) == Decimal("3300.00")
