"""What the referrals side of the access step tells the rest of it: an order was entered.

Benefits and authorizations work from orders, so they import the referrals models; a new
order opening its benefits investigations is the one thing flowing the other way. The
authorizations app registers its handler here in ``AppConfig.ready()`` (``handlers.py``), so
the order service imports no authorization code. Handlers run inside the order's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chairside.core.registry import Registry

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# (order, user) → None: work that starts when an order is entered.
OrderCreated = Callable[[Any, Any], None]

_CREATED: Registry[OrderCreated] = Registry()
on_order_created = _CREATED.register


def order_created(order: Any, user: User) -> None:
    """Run every registered handler for a newly entered order, in registration order."""
    for handler in _CREATED:
        handler(order, user)
