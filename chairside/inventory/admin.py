"""Catalog data in the Django admin. Stock itself changes only through the services."""

from __future__ import annotations

from django.contrib import admin

from chairside.inventory.models import InventorySettings, StoragePlace, Vendor


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "kind", "payment_terms_days", "lead_time_days", "organization"]
    list_filter = ["organization", "kind"]
    search_fields = ["name", "account_number"]


@admin.register(StoragePlace)
class StoragePlaceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "location", "kind", "is_active", "organization"]
    list_filter = ["organization", "kind"]


@admin.register(InventorySettings)
class InventorySettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["location", "target_days_on_hand", "forecast_days"]
