"""Cycle counts: a count sheet of the lots on a shelf, counts entered, variances adjusted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.core.actors import acting_user
from chairside.inventory.models import CycleCount, CycleCountLine, Lot, Movement, StoragePlace
from chairside.inventory.services._ledger import locked, same_organization
from chairside.inventory.services.stock import stock_adjust
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _state(count: CycleCount, user: User | None, before: str, changes: dict[str, Any]) -> None:
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=count.organization,
        obj=count,
        changes={"status": [before, count.status], **changes},
    )


@transaction.atomic
def cycle_count_start(
    *,
    organization: Organization,
    location: Any,
    user: User | None,
    storage_place: StoragePlace | None = None,
) -> CycleCount:
    """A count sheet listing every lot with stock at the location (or in one storage place)."""
    same_organization(organization, location=location, storage_place=storage_place)
    if storage_place is not None and storage_place.location_id != location.pk:
        raise ValidationError({"storage_place": f"{storage_place} is not at {location}."})
    lots = Lot.objects.filter(organization=organization, storage_place__location=location)
    if storage_place is not None:
        lots = lots.filter(storage_place=storage_place)
    lots = lots.filter(on_hand__gt=0)
    if not lots.exists():
        raise ValidationError("There is no stock to count here.")
    count = CycleCount.objects.create(
        organization=organization,
        location=location,
        storage_place=storage_place,
        started_by=acting_user(user),
    )
    CycleCountLine.objects.bulk_create(
        CycleCountLine(count=count, lot=lot, expected_vials=lot.on_hand) for lot in lots
    )
    _state(count, user, "", {"lots": [None, count.lines.count()]})
    return count


@transaction.atomic
def cycle_count_record(
    *, count: CycleCount, user: User | None, counted: Mapping[str, Any]
) -> CycleCount:
    """Save counted vials by line public id (blank = not counted yet).

    Each count is stamped with the ledger's on-hand at that moment, so dispensing while the
    count goes on does not turn into a false variance.
    """
    count = CycleCount.objects.select_for_update().get(pk=count.pk)
    if count.status != CycleCount.Status.OPEN:
        raise ValidationError("This count is closed.")
    lines = {str(line.public_id): line for line in count.lines.select_related("lot")}
    errors: dict[str, str] = {}
    now = timezone.now()
    for key, raw in counted.items():
        line = lines.get(str(key))
        if line is None:
            raise ValidationError("That line is not on this count sheet.")
        text = "" if raw is None else str(raw).strip()
        if text == "":
            continue
        if not text.isdigit():
            errors[str(key)] = f"“{text}” is not a whole number of vials (0 or more)."
            continue
        lot = locked(line.lot)
        line.counted_vials = int(text)
        line.counted_at = now
        line.on_hand_at_count = lot.on_hand
        line.save(update_fields=["counted_vials", "counted_at", "on_hand_at_count", "updated_at"])
    if errors:
        raise ValidationError(errors)
    return count


@transaction.atomic
def cycle_count_complete(*, count: CycleCount, user: User | None) -> list[Movement]:
    """Close the count: one adjustment movement per counted lot whose count differs."""
    count = CycleCount.objects.select_for_update().get(pk=count.pk)
    if count.status != CycleCount.Status.OPEN:
        raise ValidationError("This count is closed.")
    lines = list(count.lines.select_related("lot"))
    if not any(line.counted_vials is not None for line in lines):
        raise ValidationError("Enter at least one count before completing.")
    adjustments: list[Movement] = []
    for line in lines:
        if not line.variance:
            continue
        movement = stock_adjust(
            lot=line.lot,
            vials=line.variance,
            user=user,
            reason=f"Cycle count {count.created_at:%m/%d/%Y}: counted {line.counted_vials}, "
            f"the ledger said {line.on_hand_at_count}",
        )
        line.adjustment = movement
        line.save(update_fields=["adjustment", "updated_at"])
        adjustments.append(movement)
    count.status = CycleCount.Status.COMPLETED
    count.completed_by = acting_user(user)
    count.completed_at = timezone.now()
    count.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
    _state(count, user, CycleCount.Status.OPEN, {"adjustments": [None, len(adjustments)]})
    return adjustments
