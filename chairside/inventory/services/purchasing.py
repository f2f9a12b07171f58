"""Purchase orders (drafted from the forecast, sent, received) and vendor invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.core.actors import acting_user
from chairside.inventory.models import PurchaseOrder, PurchaseOrderLine, VendorInvoice
from chairside.inventory.services._ledger import same_organization, today_at, whole_vials
from chairside.rules.inventory.forecast import arrival_date
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DELIVERY_WEEKDAYS = frozenset(range(5))  # distributors deliver Monday to Friday


def _state(order: PurchaseOrder, user: User | None, before: str, reason: str = "") -> None:
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=order.organization,
        obj=order,
        changes={"status": [before, order.status]},
        reason=reason,
    )


def _next_number(organization: Organization, year: int) -> str:
    prefix = f"PO-{year}-"
    taken = PurchaseOrder.objects.filter(organization=organization, number__startswith=prefix)
    return f"{prefix}{taken.count() + 1:04d}"


@transaction.atomic
def purchase_order_create(
    *,
    organization: Organization,
    location: Any,
    vendor: Any,
    user: User | None,
    lines: Sequence[tuple[Any, Any, Decimal]],
    note: str = "",
) -> PurchaseOrder:
    """A draft purchase order: ``lines`` are (package, vials, expected cost per vial)."""
    same_organization(organization, location=location, vendor=vendor)
    wanted = [(package, whole_vials(vials), cost) for package, vials, cost in lines if vials]
    if not wanted:
        raise ValidationError("Order at least one vial.")
    for package, _, _ in wanted:
        same_organization(organization, package=package)
    year = today_at(location).year
    for _ in range(5):  # two drafts at once: the unique number decides, the loser retries
        try:
            with transaction.atomic():
                order = PurchaseOrder.objects.create(
                    organization=organization,
                    location=location,
                    vendor=vendor,
                    number=_next_number(organization, year),
                    created_by=acting_user(user),
                    note=note.strip(),
                )
            break
        except IntegrityError:
            continue
    else:
        raise ValidationError("Could not number the purchase order; try again.")
    for package, vials, cost in wanted:
        PurchaseOrderLine.objects.create(
            order=order, package=package, vials_ordered=vials, unit_cost=cost or Decimal(0)
        )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=order,
        changes={"lines": [None, [f"{v} x {p.ndc}" for p, v, _ in wanted]]},
    )
    return order


@transaction.atomic
def purchase_order_send(
    *, order: PurchaseOrder, user: User | None, today: dt.date | None = None
) -> PurchaseOrder:
    """Mark a draft as sent: ordered today, expected after the vendor's lead time."""
    order = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("vendor")
        .get(pk=order.pk)
    )
    if order.status != PurchaseOrder.Status.DRAFT:
        raise ValidationError(f"{order.number} is {order.get_status_display().lower()} already.")
    day = today or today_at(order.location)
    order.status = PurchaseOrder.Status.SENT
    order.ordered_on = day
    order.expected_on = arrival_date(day, order.vendor.lead_time_days, DELIVERY_WEEKDAYS)
    order.save(update_fields=["status", "ordered_on", "expected_on", "updated_at"])
    _state(order, user, PurchaseOrder.Status.DRAFT)
    return order


@transaction.atomic
def purchase_order_cancel(*, order: PurchaseOrder, user: User, reason: str) -> PurchaseOrder:
    """Cancel an order nothing has been received against."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the order is cancelled."})
    if order.status not in (PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.SENT):
        raise ValidationError(f"{order.number} is {order.get_status_display().lower()}.")
    before = order.status
    order.status = PurchaseOrder.Status.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    _state(order, user, before, reason.strip())
    return order


def purchase_order_refresh(*, order: PurchaseOrder, user: User | None) -> PurchaseOrder:
    """After a receipt: partly received, or received when every line is complete."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    lines = list(order.lines.prefetch_related("lots"))
    done = all(line.vials_outstanding == 0 for line in lines)
    status = PurchaseOrder.Status.RECEIVED if done else PurchaseOrder.Status.PARTIAL
    if status != order.status:
        before = order.status
        order.status = status
        order.save(update_fields=["status", "updated_at"])
        _state(order, user, before)
    return order


@transaction.atomic
def invoice_mark_paid(
    *, invoice: VendorInvoice, user: User | None, paid_on: dt.date | None = None
) -> VendorInvoice:
    """Record that a vendor invoice was paid (it leaves the payments-due list)."""
    invoice = VendorInvoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.paid_on is not None:
        raise ValidationError(f"Invoice {invoice.number} was paid on {invoice.paid_on:%m/%d/%Y}.")
    day = paid_on or timezone.localdate()
    if day < invoice.invoice_date:
        raise ValidationError({"paid_on": "The payment date is before the invoice date."})
    invoice.paid_on = day
    invoice.save(update_fields=["paid_on", "updated_at"])
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=invoice.organization,
        obj=invoice,
        changes={"paid_on": [None, day.isoformat()]},
    )
    return invoice
