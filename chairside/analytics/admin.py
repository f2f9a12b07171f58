from __future__ import annotations

from django.contrib import admin

from chairside.analytics.models import ManagementFeeTerms, PlanScenario


@admin.register(PlanScenario)
class PlanScenarioAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "organization", "updated_at", "simulated_at"]
    list_filter = ["organization"]
    search_fields = ["name"]


@admin.register(ManagementFeeTerms)
class ManagementFeeTermsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["client", "basis", "fee_per_treatment", "share_of_collections_percent"]
