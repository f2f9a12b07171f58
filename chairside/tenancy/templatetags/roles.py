"""``{{ value|role_label }}``: a stored role as people read it (tenancy.roles.role_label)."""

from __future__ import annotations

from django import template

from chairside.tenancy.roles import role_label as _role_label

register = template.Library()


@register.filter
def role_label(value: str | None) -> str:
    return _role_label(value) if value else ""
