"""What later steps of the work do when an appointment is placed or changes status.

Scheduling sits upstream of stock and the visit, so it imports neither: inventory (vial
reservations) and treatments (prepared-and-not-given doses) register handlers here in their
``AppConfig.ready()``, as apps register Today cards in ``core.today``. Handlers run inside
the scheduling service's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (appointment, user, new): a booking was made (new=True), moved or brought back.
PlacedHandler = Callable[[Any, Any, bool], None]
# (appointment, user, target status, why)
StatusHandler = Callable[[Any, Any, str, str], None]

_PLACED: list[PlacedHandler] = []
_STATUS: list[StatusHandler] = []


def on_appointment_placed(handler: PlacedHandler) -> PlacedHandler:
    if handler not in _PLACED:
        _PLACED.append(handler)
    return handler


def on_appointment_status(handler: StatusHandler) -> StatusHandler:
    if handler not in _STATUS:
        _STATUS.append(handler)
    return handler


def appointment_placed(appointment: Any, user: Any, *, new: bool = False) -> None:
    for handler in _PLACED:
        handler(appointment, user, new)


def appointment_status_changed(appointment: Any, user: Any, target: str, why: str) -> None:
    for handler in _STATUS:
        handler(appointment, user, target, why)
