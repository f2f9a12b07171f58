"""Inventory catalog: vendors, storage places and each site's stocking targets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from chairside.audit.services import audited_update
from chairside.inventory.models import InventorySettings, StoragePlace, Vendor
from chairside.inventory.services._ledger import same_organization
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def vendor_save(
    *, organization: Organization, user: User, vendor: Vendor | None = None, **fields: Any
) -> Vendor:
    """Create or change a vendor (terms 30/60/90/120 days, lead time in days)."""
    vendor = vendor or Vendor(organization=organization)
    audited_update(instance=vendor, user=user, data=fields, organization=organization)
    return vendor


@transaction.atomic
def storage_place_save(
    *, organization: Organization, user: User, place: StoragePlace | None = None, **fields: Any
) -> StoragePlace:
    """Create or change a refrigerator, shelf or quarantine area at a site."""
    place = place or StoragePlace(organization=organization)

    def save(changed: StoragePlace) -> None:
        same_organization(organization, location=changed.location)
        changed.full_clean()
        changed.save()

    audited_update(instance=place, user=user, data=fields, save=save, organization=organization)
    return place


def inventory_settings_for(location: Any) -> InventorySettings:
    """The site's settings, with the defaults (7 days on hand) until someone changes them."""
    found, _ = InventorySettings.objects.get_or_create(location=location)
    return found


@transaction.atomic
def inventory_settings_save(*, location: Any, user: User, **fields: Any) -> InventorySettings:
    current = inventory_settings_for(location)
    audited_update(instance=current, user=user, data=fields, organization=location.organization)
    return current
