"""Catalog data for administrators: charge master, ASP prices, drug prices, contracts.

Claims, lines and remittances are never edited here: they are derived or posted by services.
"""

from __future__ import annotations

from django.contrib import admin

from chairside.billing.models import (
    AspPrice,
    AspPricingFile,
    BillingProfile,
    ChargeMasterItem,
    ContractAdminFee,
    ContractDrugRate,
    DrugPrice,
    PayerContract,
)


@admin.register(ChargeMasterItem)
class ChargeMasterItemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "description", "price_per_unit", "organization", "is_demo")
    list_filter = ("organization",)
    search_fields = ("code", "description")


@admin.register(DrugPrice)
class DrugPriceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("hcpcs", "wac_per_unit", "acquisition_cost_per_unit", "organization", "is_demo")
    list_filter = ("organization",)


class AspPriceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AspPrice
    extra = 0


@admin.register(AspPricingFile)
class AspPricingFileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "effective_from", "effective_to", "row_count", "is_demo")
    inlines = [AspPriceInline]


class AdminFeeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ContractAdminFee
    extra = 0


class DrugRateInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ContractDrugRate
    extra = 0


@admin.register(PayerContract)
class PayerContractAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("payer", "drug_basis", "drug_percent", "patient_share_percent", "is_demo")
    inlines = [AdminFeeInline, DrugRateInline]


@admin.register(BillingProfile)
class BillingProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("billing_name", "npi", "organization")
