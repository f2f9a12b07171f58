"""What later steps do when home care documents a service (a delivery handed over, a home
visit made).

Home care sits upstream of billing, so it imports none of it: billing registers its handler
(derive the month's home infusion charges again) in ``BillingConfig.ready()``. Handlers run
inside the recording transaction and must be idempotent; a handler must not refuse the
recording for a billing reason (proof of delivery is a fact whatever the claim says).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chairside.core.registry import Registry

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# (organization, patient, day, user): a delivery or home visit of the patient on ``day``
# was documented (proof of delivery recorded, visit signed).
DocumentedHandler = Callable[[Any, Any, dt.date, Any], None]

_DOCUMENTED: Registry[DocumentedHandler] = Registry()
on_home_service_documented = _DOCUMENTED.register


def home_service_documented(
    organization: Any, patient: Any, day: dt.date, user: User | None
) -> None:
    for handler in _DOCUMENTED:
        handler(organization, patient, day, user)
