"""What later steps tell the access step: which orders the schedule has booked, what it does
when an approval takes over a booking, billing's reduced Part B coinsurance for the
patient's cost estimate, what an electronic eligibility re-check (X12 271) found different
from the verified benefits, and the links an adapter adds to the authorization page (interop's
electronic prior authorization: X12 278 and the Da Vinci PAS Bundle).

Authorizations sit upstream of scheduling and billing, so they import neither: those apps
register their handlers here in their ``AppConfig.ready()`` (as apps register Today cards in
``tenancy.today``). Handlers run inside the authorization service's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chairside.core.fingerprint import Rows, watch
from chairside.core.registry import Registry

# (organization, order ids, first day, last day) → ids of orders with a live booking then.
BookedOrders = Callable[[Any, list[int], dt.date, dt.date], set[int]]
# (authorization, usage row) → the booking that took the usage, now under the approval
# (or None when the usage was not a booking).
UsageAttached = Callable[[Any, Any], Any]

# (organization) → (HCPCS, day) → the ASP file's reduced coinsurance rate, or None.
Coinsurance = Callable[[str, dt.date], Decimal | None]
CoinsuranceSource = Callable[[Any], Coinsurance]


@dataclass(frozen=True)
class BenefitsFlag:
    """A difference the payer reported that the coordinator has not reviewed yet."""

    message: str
    blocking: bool
    url: str = ""


# (organization, benefits investigation ids, or None for all of them) → id → its flags.
BenefitsFlags = Callable[[Any, list[int] | None], dict[int, list[BenefitsFlag]]]
# (authorization, may the user edit) → the links to show on the authorization's page, as
# (label, URL, hint) in the order given.
AuthorizationLinks = Callable[[Any, bool], list[tuple[str, str, str]]]

_BOOKED: Registry[BookedOrders] = Registry()
_LINKS: Registry[AuthorizationLinks] = Registry()
register_authorization_links = _LINKS.register
_ATTACHED: Registry[UsageAttached] = Registry()
_COINSURANCE: Registry[CoinsuranceSource] = Registry()
on_booked_orders = _BOOKED.register
# The rows each ``BookedOrders`` handler reads: the cached counts of the access queues are
# keyed by their fingerprint (``core.fingerprint``), so a booking recounts them.
_BOOKING_ROWS: list[Rows] = []
# The topic under which the access queues' counts are cached and their inputs watched.
QUEUE_COUNTS = "access-queue-counts"


def on_booking_rows(rows: Rows) -> None:
    """Register the rows a booked-orders handler reads (and watch them at once)."""
    if rows not in _BOOKING_ROWS:
        _BOOKING_ROWS.append(rows)
    watch(QUEUE_COUNTS, [rows])


on_usage_attached = _ATTACHED.register
on_reduced_coinsurance = _COINSURANCE.register
_FLAGS: Registry[BenefitsFlags] = Registry()
on_benefits_flags = _FLAGS.register


def benefits_flags(
    organization: Any, ids: list[int] | None = None
) -> dict[int, list[BenefitsFlag]]:
    """The unreviewed differences of each benefits check (all of the organization's when
    ``ids`` is None), from every registered source; a check without any is left out."""
    found: dict[int, list[BenefitsFlag]] = {}
    if ids is not None and not ids:
        return found
    for handler in _FLAGS:
        for key, flags in handler(organization, ids).items():
            found.setdefault(key, []).extend(flags)
    return found


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


def booking_rows() -> list[Rows]:
    """The rows every booked-orders handler reads."""
    return list(_BOOKING_ROWS)


def usage_attached(authorization: Any, usage: Any) -> Any:
    """The booking each handler moved under the approval (the last one found), or None."""
    found = None
    for handler in _ATTACHED:
        found = handler(authorization, usage) or found
    return found


def authorization_links(authorization: Any, can_edit: bool) -> list[tuple[str, str, str]]:
    """Every registered adapter's links for this authorization's page."""
    return [link for handler in _LINKS for link in handler(authorization, can_edit)]
