"""What later steps do when a chair-side visit is signed.

The visit sits upstream of billing, so it imports none of it: billing registers its handler
(derive the claim lines from the signed visit) in ``BillingConfig.ready()``, as apps register
Today cards in ``tenancy.today``. Handlers run inside the sign-off transaction; one that raises
refuses the signature, so a visit billing cannot read is not signed either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chairside.core.registry import Registry

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# (visit, user): the visit was signed and locked, or an addendum changed a signed visit
# (handlers derive again; they must be idempotent).
SignedHandler = Callable[[Any, Any], None]

_SIGNED: Registry[SignedHandler] = Registry()
on_visit_signed = _SIGNED.register


def visit_signed(visit: Any, user: User) -> None:
    for handler in _SIGNED:
        handler(visit, user)
