"""Inventory catalog: vendors, storage places and each site's stocking targets."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, diff, snapshot
from chairside.inventory.models import InventorySettings, StoragePlace, Vendor
from chairside.inventory.services._ledger import same_organization


def _save(obj: Any, *, user: Any, organization: Any, before: dict[str, Any]) -> None:
    obj.full_clean()
    obj.save()
    changes = diff(before, snapshot(obj))
    if changes:
        audit_record(
            action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
            user=user,
            organization=organization,
            obj=obj,
            changes=changes,
        )


@transaction.atomic
def vendor_save(
    *, organization: Any, user: Any, vendor: Vendor | None = None, **fields: Any
) -> Vendor:
    """Create or change a vendor (terms 30/60/90/120 days, lead time in days)."""
    before = snapshot(vendor) if vendor else {}
    vendor = vendor or Vendor(organization=organization)
    for name, value in fields.items():
        setattr(vendor, name, value)
    _save(vendor, user=user, organization=organization, before=before)
    return vendor


@transaction.atomic
def storage_place_save(
    *, organization: Any, user: Any, place: StoragePlace | None = None, **fields: Any
) -> StoragePlace:
    """Create or change a refrigerator, shelf or quarantine area at a site."""
    before = snapshot(place) if place else {}
    place = place or StoragePlace(organization=organization)
    for name, value in fields.items():
        setattr(place, name, value)
    same_organization(organization, location=place.location)
    _save(place, user=user, organization=organization, before=before)
    return place


def inventory_settings_for(location: Any) -> InventorySettings:
    """The site's settings, with the defaults (7 days on hand) until someone changes them."""
    found, _ = InventorySettings.objects.get_or_create(location=location)
    return found


@transaction.atomic
def inventory_settings_save(*, location: Any, user: Any, **fields: Any) -> InventorySettings:
    current = inventory_settings_for(location)
    before = snapshot(current)
    for name, value in fields.items():
        setattr(current, name, value)
    _save(current, user=user, organization=location.organization, before=before)
    return current
