from __future__ import annotations

from django.contrib import admin

from chairside.tenancy.models import (
    Chair,
    Competency,
    Location,
    Membership,
    OpeningHours,
    Organization,
    StaffMember,
)


class OpeningHoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OpeningHours
    extra = 0


class ChairInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Chair
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "kind", "managed_by"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "organization", "site_type", "place_of_service", "nurse_patient_ratio"]
    list_filter = ["organization", "site_type"]
    inlines = [OpeningHoursInline, ChairInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "organization", "role", "is_active"]
    list_filter = ["organization", "role"]


class CompetencyInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Competency
    extra = 0


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["last_name", "first_name", "credential", "organization", "license_expires"]
    list_filter = ["organization", "credential"]
    search_fields = ["last_name", "first_name", "npi"]
    inlines = [CompetencyInline]
