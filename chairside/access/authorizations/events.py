"""What later steps tell the access step: which orders the schedule has booked, what it does
when an approval takes over a booking, billing's reduced Part B coinsurance for the
patient's cost estimate, and the links an adapter adds to the authorization page (interop's
electronic prior authorization: X12 278 and the Da Vinci PAS Bundle).

Authorizations sit upstream of scheduling and billing, so they import neither: those apps
register their handlers here in their ``AppConfig.ready()`` (as apps register Today cards in
``core.today``). Handlers run inside the authorization service's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from chairside.core.registry import Registry

# (organization, order ids, first day, last day) → ids of orders with a live booking then.
BookedOrders = Callable[[Any, list[int], dt.date, dt.date], set[int]]
# (authorization, usage row) → the booking that took the usage, now under the approval
# (or None when the usage was not a booking).
UsageAttached = Callable[[Any, Any], Any]

# (organization) → (HCPCS, day) → the ASP file's reduced coinsurance rate, or None.
Coinsurance = Callable[[str, dt.date], Decimal | None]
CoinsuranceSource = Callable[[Any], Coinsurance]

# (authorization, may the user edit) → the links to show on the authorization's page, as
# (label, URL, hint) in the order given.
AuthorizationLinks = Callable[[Any, bool], list[tuple[str, str, str]]]

_BOOKED: Registry[BookedOrders] = Registry()
_LINKS: Registry[AuthorizationLinks] = Registry()
register_authorization_links = _LINKS.register
_ATTACHED: Registry[UsageAttached] = Registry()
_COINSURANCE: Registry[CoinsuranceSource] = Registry()
on_booked_orders = _BOOKED.register
on_usage_attached = _ATTACHED.register
on_reduced_coinsurance = _COINSURANCE.register


def reduced_coinsurance(organization: Any) -> Coinsurance:
    """The first reduced coinsurance a registered source knows for (HCPCS, day), else None."""
    lookups = [source(organization) for source in _COINSURANCE]

    def lookup(hcpcs: str, day: dt.date) -> Decimal | None:
        for one in lookups:
            rate = one(hcpcs, day)
            if rate is not None:
                return rate
        return None

    return lookup


def booked_order_ids(
    organization: Any, order_ids: list[int], start: dt.date, end: dt.date
) -> set[int] | None:
    """Orders with a booked appointment between the dates; None when no step books (then the
    access queue judges by the regimen's planned dates against documented doses alone)."""
    if not _BOOKED:
        return None
    booked: set[int] = set()
    for handler in _BOOKED:
        booked |= handler(organization, order_ids, start, end)
    return booked


def usage_attached(authorization: Any, usage: Any) -> Any:
    """The booking each handler moved under the approval (the last one found), or None."""
    found = None
    for handler in _ATTACHED:
        found = handler(authorization, usage) or found
    return found


def authorization_links(authorization: Any, can_edit: bool) -> list[tuple[str, str, str]]:
    """Every registered adapter's links for this authorization's page."""
    return [link for handler in _LINKS for link in handler(authorization, can_edit)]
