from __future__ import annotations

from django.contrib import admin

from chairside.formulary.models import Drug, DrugLab, Package, RegimenTemplate


class PackageInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Package
    extra = 0


class DrugLabInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DrugLab
    extra = 0


class RegimenInline(admin.StackedInline):  # type: ignore[type-arg]
    model = RegimenTemplate
    extra = 0


@admin.register(Drug)
class DrugAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "generic_name",
        "brand_name",
        "hcpcs",
        "billing_unit_mg",
        "admin_category",
        "organization",
    ]
    list_filter = ["organization", "admin_category", "prior_auth_usually_required"]
    search_fields = ["generic_name", "brand_name", "hcpcs"]
    inlines = [PackageInline, DrugLabInline, RegimenInline]
