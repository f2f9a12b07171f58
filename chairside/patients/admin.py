from __future__ import annotations

from django.contrib import admin

from chairside.patients.models import Payer


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Payers are catalog data. Patients are edited in the app, where every change is audited."""

    list_display = ["name", "kind", "payer_id", "organization", "is_demo"]
    list_filter = ["organization", "kind"]
    search_fields = ["name", "payer_id"]
