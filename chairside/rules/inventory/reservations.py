"""Stock reserved for coming appointments: which days are in the window, what is left.

The drug for an appointment in the next few business days is set aside from specific lots
(first expiry first out, the vials ``choose_vials`` picks), so that other bookings and the
forecast see only what is really free (issue 16: "the drug in stock and reserved for that
appointment"). A lot can never be reserved beyond what is on its shelf.
"""

from __future__ import annotations

import datetime as dt


def window_days(today: dt.date, business_days: int) -> list[dt.date]:
    """``today`` and the following days up to ``business_days`` weekdays (today counts when
    it is a weekday); the weekend days in between are in the window too (a Saturday clinic)."""
    if business_days < 1:
        raise ValueError(f"the window must hold at least one business day, not {business_days}")
    days: list[dt.date] = []
    counted = 0
    day = today
    while counted < business_days:
        days.append(day)
        if day.weekday() < 5:
            counted += 1
        day += dt.timedelta(days=1)
    return days


def available_vials(on_hand: int, reserved: int) -> int:
    """Vials of a lot still free for other bookings."""
    if on_hand < 0 or reserved < 0:
        raise ValueError("vial counts cannot be negative")
    return max(0, on_hand - reserved)


def reservation_problem(on_hand: int, reserved: int, wanted: int) -> str:
    """Why ``wanted`` more vials cannot be reserved from a lot; "" when they can."""
    if wanted < 1:
        return "reserve 1 vial or more"
    free = available_vials(on_hand, reserved)
    if wanted > free:
        return f"only {free} of {on_hand} vials are free ({reserved} already reserved)"
    return ""
