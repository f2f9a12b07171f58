"""The one place stock changes: lock the lot, append a movement, keep on-hand in step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.core.actors import acting_user
from chairside.inventory.models import Lot, Movement
from chairside.rules.inventory.reconciliation import Kind, check_quantity
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Related rows come from the service's own locked, organization-checked objects: looking
# each up again to validate it would be one query per foreign key per movement.
RELATIONS = ["public_id", "organization", "lot", "user", "patient", "related"]


def today_at(location: Any) -> dt.date:
    """Today's date where the drug is: the location's time zone decides when a lot expires."""
    return timezone.localdate(timezone=location.tz)


def moment(at: dt.datetime | None, location: Any) -> tuple[dt.datetime, dt.date]:
    """When a movement happened (default now) and that day at the location.

    A movement may be recorded after the fact (a paper log during downtime, a history
    import) but never in the future.
    """
    now = timezone.now()
    if at is None:
        at = now
    elif timezone.is_naive(at):
        raise ValidationError("The time of a stock movement must carry its time zone.")
    elif at > now:
        raise ValidationError("A stock movement cannot be recorded in the future.")
    return at, timezone.localtime(at, location.tz).date()


def whole_vials(value: Any, field: str = "vials") -> int:
    """A positive whole number of vials, or a ValidationError a coordinator understands."""
    if isinstance(value, bool):
        raise ValidationError({field: "Enter a number of vials."})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"“{value}” is not a number of vials."}) from None
    if number != number.to_integral_value():
        raise ValidationError(
            {field: f"Vials are counted whole: {value} is not a whole number of vials."}
        )
    if number <= 0:
        raise ValidationError({field: "Enter 1 vial or more."})
    return int(number)


def same_organization(organization: Organization, **objects: Any) -> None:
    """Refuse any object of another organization (a forged form value, say)."""
    for name, obj in objects.items():
        if obj is None:
            continue
        owner = getattr(obj, "organization_id", None)
        if owner is None and hasattr(obj, "drug"):
            owner = obj.drug.organization_id  # a formulary package
        if owner != organization.pk:
            raise ValidationError({name: "Choose one of your organization's own records."})


def locked(lot: Lot) -> Lot:
    """The lot re-read under a row lock: concurrent writers queue here."""
    return (
        Lot.objects.select_for_update(of=("self",))
        .select_related("package__drug", "storage_place__location")
        .get(pk=lot.pk)
    )


def record(
    *,
    lot: Lot,
    kind: Kind,
    vials: int,
    user: User | None,
    patient: Any = None,
    mg: Decimal | None = None,
    visit_ref: str = "",
    reason: str = "",
    related: Movement | None = None,
    at: dt.datetime | None = None,
) -> Movement:
    """Append one movement to a lot that the caller has locked, and move on-hand with it.

    The new balance is checked here (a clear message) and by the database (CHECK
    constraints on the lot and the movement), so stock can never go below zero. A movement
    recorded after the fact (``at``) may not go before the lot's last one: the ledger only
    ever grows at its end, so every balance in it stays true.
    """
    when = _append_time(lot, at)
    balance = _new_balance(lot, kind, vials)
    movement = Movement(
        organization=lot.organization,
        lot=lot,
        kind=kind.value,
        vials=vials,
        mg=mg,
        user=acting_user(user),
        patient=patient,
        visit_ref=visit_ref or "",
        reason=reason,
        related=related,
        balance_after=balance,
        at=when,
    )
    # The CHECK constraints are the database's to enforce (and the checks above say why in
    # words); validating them here would cost a query each for nothing.
    movement.full_clean(exclude=RELATIONS, validate_constraints=False)
    try:
        with transaction.atomic():
            movement.save()
            Lot.objects.filter(pk=lot.pk).update(on_hand=balance)
    except IntegrityError:
        raise ValidationError({"vials": "The stock changed meanwhile; try again."}) from None
    lot.on_hand = balance
    _audit(movement, user)
    return movement


def _append_time(lot: Lot, at: dt.datetime | None) -> dt.datetime:
    """When the movement happened; never before the lot's last movement."""
    when, _ = moment(at, lot.storage_place.location)
    # Now is after every earlier movement; only a movement recorded after the fact can clash.
    last = None if at is None else lot.movements.aggregate(last=Max("at"))["last"]
    if last is not None and when < last:
        stamp = timezone.localtime(last, lot.storage_place.location.tz)
        raise ValidationError(
            f"Lot {lot.lot_number} already has a movement at {stamp:%m/%d/%Y %H:%M}; "
            "a later record cannot go before it."
        )
    return when


def _new_balance(lot: Lot, kind: Kind, vials: int) -> int:
    """The lot's on-hand after the movement, refused (in words) when it would go below 0."""
    try:
        check_quantity(kind, vials)
    except ValueError as exc:
        raise ValidationError({"vials": str(exc)}) from None
    balance = lot.on_hand + vials
    if balance < 0:
        raise ValidationError(
            {
                "vials": f"Only {lot.on_hand} vial{'s' if lot.on_hand != 1 else ''} of lot "
                f"{lot.lot_number} on hand; {-vials} cannot be taken."
            }
        )
    return balance


def _audit(movement: Movement, user: User | None) -> None:
    lot = movement.lot
    changes: dict[str, Any] = {
        "kind": [None, movement.kind],
        "vials": [None, movement.vials],
        "lot": [None, f"{lot.package.ndc} lot {lot.lot_number}"],
        "on_hand": [lot.on_hand - movement.vials, lot.on_hand],
    }
    if movement.mg is not None:
        changes["mg"] = [None, str(movement.mg)]
    if movement.visit_ref:
        changes["visit"] = [None, movement.visit_ref]
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=movement.organization,
        obj=movement,
        patient=movement.patient,
        changes=changes,
        reason=movement.reason,
    )
