from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chairside.tenancy.navigation import navigation_for
from chairside.tenancy.roles import Perm, has_perm
from chairside.tenancy.selectors import site_time_zone


def tenancy(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"active_membership": None, "nav_items": []}
    return {
        "active_membership": membership,
        "active_organization": membership.organization,
        "nav_items": navigation_for(request),
        # The top bar's patient search, for roles that may see patients.
        "can_search_patients": has_perm(membership.role, Perm.PATIENT_VIEW),
        # Audit times are shown in the site's local time; a callable, read only when used.
        "site_time_zone": lambda: site_time_zone(organization=membership.organization),
    }
