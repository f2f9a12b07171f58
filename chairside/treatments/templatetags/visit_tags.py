"""Small display filters for the visit pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from chairside.rules.clinical.vitals import weight_shown

register = template.Library()


@register.filter
def weight(kg: object) -> str:
    """A stored weight (kg) with its unit and the pounds: "69.9 kg (154.1 lb)"."""
    if kg in (None, ""):
        return "—"
    try:
        return weight_shown(Decimal(str(kg)))
    except InvalidOperation:
        return str(kg)


@register.filter
def mg(value: object) -> str:
    """A dose or volume without trailing zeros or exponents: 350.000 → 350, 1.400 → 1.4."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def get_item(mapping: object, key: object) -> object:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def is_late(report: object, now: object) -> bool:
    return bool(report.is_late(now))  # type: ignore[attr-defined]
