"""Role-aware navigation. An entry shows when its page exists and the role may see it."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from chairside.tenancy.roles import Perm, has_perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: Perm | None
    section: str  # the first path segments it owns (space-separated), to highlight it


NAV: tuple[NavItem, ...] = (
    NavItem("Today", "today", None, "today"),
    NavItem("Patients", "patients:list", Perm.PATIENT_VIEW, "patients"),
    NavItem("Access", "authorizations:home", Perm.ACCESS_EDIT, "access referrals interfaces"),
    NavItem("Schedule", "scheduling:board", Perm.SCHEDULE_VIEW, "schedule"),
    NavItem("Inventory", "inventory:stock", Perm.INVENTORY_VIEW, "inventory"),
    NavItem("Compounding", "compounding:home", Perm.COMPOUNDING_VIEW, "compounding"),
    NavItem("Home infusion", "homecare:patients", Perm.HOMECARE_VIEW, "homecare"),
    NavItem("Billing", "billing:home", Perm.BILLING_VIEW, "billing"),
    NavItem("Reports", "analytics:home", Perm.REPORTS_VIEW, "reports"),
    NavItem("Admin", "tenancy:settings", Perm.STAFF_VIEW, "admin"),
)


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    membership = getattr(request, "membership", None)
    role = membership.role if membership else None
    current = request.path.strip("/").split("/", 1)[0] or "today"
    items: list[dict[str, object]] = []
    for item in NAV:
        if item.perm is not None and not has_perm(role, item.perm):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # that part of Chairside is not installed yet
        items.append({"label": item.label, "url": url, "active": current in item.section.split()})
    return items
