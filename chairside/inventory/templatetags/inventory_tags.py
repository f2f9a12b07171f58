"""Template helpers for the inventory pages."""

from __future__ import annotations

from typing import Any

from django import template

from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm

register = template.Library()


@register.simple_tag(takes_context=True)
def may_change_stock(context: Any) -> bool:
    """Whether the user's role may change stock (the edit tabs show only then)."""
    request = context.get("request")
    return request is not None and can(request, Perm.INVENTORY_EDIT)
