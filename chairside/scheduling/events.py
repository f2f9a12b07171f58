"""What later steps of the work do when an appointment is placed or changes status, and what
they add to a booking.

Scheduling sits upstream of stock and the visit, so it imports neither: inventory (vial
reservations, the stock forecast's warning, the reserved lots on the appointment panel) and
treatments (prepared-and-not-given doses) register handlers here in their
``AppConfig.ready()``, as apps register Today cards in ``tenancy.today``. Handlers run inside
the scheduling service's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chairside.core.registry import Registry

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# (appointment, user, new): a booking was made (new=True), moved or brought back.
PlacedHandler = Callable[[Any, Any, bool], None]
# (appointment, user, target status, why)
StatusHandler = Callable[[Any, Any, str, str], None]

# (order, location, day) → a warning for the coordinator, or "" (a warning never refuses).
BookingWarning = Callable[[Any, Any, dt.date], str]
# (appointment) → more context for the appointment panel (see scheduling/_panel.html).
PanelFacts = Callable[[Any], dict[str, Any]]

_PLACED: Registry[PlacedHandler] = Registry()
_STATUS: Registry[StatusHandler] = Registry()
_WARNINGS: Registry[BookingWarning] = Registry()
_PANEL: Registry[PanelFacts] = Registry()
on_appointment_placed = _PLACED.register
on_appointment_status = _STATUS.register
on_booking_warning = _WARNINGS.register
on_appointment_panel = _PANEL.register


def appointment_placed(appointment: Any, user: User, *, new: bool = False) -> None:
    for handler in _PLACED:
        handler(appointment, user, new)


def appointment_status_changed(appointment: Any, user: User | None, target: str, why: str) -> None:
    for handler in _STATUS:
        handler(appointment, user, target, why)


def booking_warnings(order: Any, location: Any, on_date: dt.date) -> list[str]:
    return [text for handler in _WARNINGS if (text := handler(order, location, on_date))]


def appointment_panel_facts(appointment: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for handler in _PANEL:
        facts.update(handler(appointment))
    return facts
