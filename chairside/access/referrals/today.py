"""Today-page card for physicians and NPs: orders awaiting their signature."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from chairside.access.referrals.selectors import orders_to_sign
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm
from chairside.tenancy.today import Card, register_today_cards


@register_today_cards
def signature_cards(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    if organization is None or not can(request, Perm.ORDER_SIGN):
        return []
    waiting = orders_to_sign(organization=organization).count()
    return [
        Card(
            title="Orders to sign",
            count=waiting,
            url=reverse("referrals:to_sign"),
            hint="Entered from referral paperwork; not bookable until signed"
            if waiting
            else "Nothing waiting for your signature",
            tone="warn" if waiting else "good",
            perm=Perm.ORDER_SIGN,
            order=4,
        )
    ]
