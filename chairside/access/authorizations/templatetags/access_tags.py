"""``{% assign_widget item "referral" %}``: who has a work item, and a picker to change it."""

from __future__ import annotations

from typing import Any

from django import template

from chairside.tenancy.access import can
from chairside.tenancy.models import StaffMember
from chairside.tenancy.roles import Perm

register = template.Library()


@register.inclusion_tag("authorizations/_assign.html", takes_context=True)
def assign_widget(context: Any, item: Any, kind: str, staff: Any = None) -> dict[str, Any]:
    request = context["request"]
    editable = can(request, Perm.ACCESS_EDIT)
    if editable and staff is None:
        staff = StaffMember.objects.filter(organization=item.organization_id, is_active=True)
    return {
        "item": item,
        "kind": kind,
        "staff": staff or [],
        "editable": editable,
        "request": request,
    }
