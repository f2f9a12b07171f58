from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chairside.core.navigation import navigation_for


def tenancy(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"active_membership": None, "nav_items": []}
    return {
        "active_membership": membership,
        "active_organization": membership.organization,
        "nav_items": navigation_for(request),
    }
