"""The authorizations side's handlers for the referrals side's events (registered in
``AuthorizationsConfig.ready()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chairside.access.authorizations.services import benefits_open_for_order
from chairside.access.referrals.events import on_order_created

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@on_order_created
def open_benefits(order: Any, user: User) -> None:
    """A new order opens a benefits investigation for each of the patient's coverages."""
    benefits_open_for_order(order=order, user=user)
