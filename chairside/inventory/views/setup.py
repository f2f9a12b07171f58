"""Inventory set-up: vendors, storage places and each site's stocking targets."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from chairside.core.forms_util import submit_form
from chairside.inventory import selectors, services
from chairside.inventory.forms import SettingsForm, StoragePlaceForm, VendorForm
from chairside.tenancy import selectors as tenancy_selectors
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm


@require_perm(Perm.INVENTORY_VIEW)
def setup(request: OrgRequest) -> HttpResponse:
    org = request.organization
    sites = [
        (loc, services.inventory_settings_for(loc))
        for loc in tenancy_selectors.sites(organization=org)
    ]
    context = {
        "vendors": selectors.vendors(organization=org, active_only=False),
        "places": selectors.storage_places(organization=org, active_only=False),
        "sites": sites,
        "can_edit": can(request, Perm.INVENTORY_EDIT),
    }
    return render(request, "inventory/setup.html", context)


@require_perm(Perm.INVENTORY_EDIT)
def vendor_edit(request: OrgRequest, public_id: str | None = None) -> HttpResponse:
    vendor = (
        selectors.access_vendor(organization=request.organization, public_id=public_id)
        if public_id
        else None
    )
    form = VendorForm(request.POST or None, instance=vendor)
    return submit_form(
        request,
        form,
        save=lambda data: services.vendor_save(
            organization=request.organization, user=request.user, vendor=vendor, **data
        ),
        message=lambda saved: f"{saved} saved.",
        done="inventory:setup",
        template="inventory/setup_form.html",
        context={"title": "Vendor"},
    )


@require_perm(Perm.INVENTORY_EDIT)
def place_edit(request: OrgRequest, public_id: str | None = None) -> HttpResponse:
    place = (
        selectors.access_place(organization=request.organization, public_id=public_id)
        if public_id
        else None
    )
    form = StoragePlaceForm(request.POST or None, instance=place, organization=request.organization)
    return submit_form(
        request,
        form,
        save=lambda data: services.storage_place_save(
            organization=request.organization, user=request.user, place=place, **data
        ),
        message=lambda saved: f"{saved} saved.",
        done="inventory:setup",
        template="inventory/setup_form.html",
        context={"title": "Storage place"},
    )


@require_perm(Perm.INVENTORY_EDIT)
def site_settings(request: OrgRequest, public_id: str) -> HttpResponse:
    location = tenancy_selectors.access_location(
        organization=request.organization, public_id=public_id
    )
    current = services.inventory_settings_for(location)
    form = SettingsForm(request.POST or None, instance=current)
    return submit_form(
        request,
        form,
        save=lambda data: services.inventory_settings_save(
            location=location, user=request.user, **data
        ),
        message=f"Stocking targets for {location} saved.",
        done="inventory:setup",
        template="inventory/setup_form.html",
        context={"title": f"Stocking targets · {location}"},
    )
