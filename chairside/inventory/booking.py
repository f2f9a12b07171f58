"""The stock forecast's word on a booking (registered with ``scheduling.events`` in
``InventoryConfig.ready()``): a warning when the drug runs short at the site by the visit's
date, and the vials reserved for an appointment on its panel. Scheduling, upstream of stock,
imports none of this."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from chairside.inventory.selectors import appointment_reservations, demand_forecast
from chairside.rules.scheduling.booking import us_date
from chairside.scheduling.events import on_appointment_panel, on_booking_warning

STOCK_HORIZON_DAYS = 28
STOCK_CACHE_SECONDS = 300


def short_drugs_at(location: Any) -> dict[int, dt.date]:
    """Drug id → first day the inventory forecast runs short at the location (28 days).

    The forecast reads every booking of the next four weeks, so it is kept for
    ``STOCK_CACHE_SECONDS`` per location: a booking warning may lag a few minutes behind a
    delivery, which is fine for a warning and spares each booking the whole forecast.
    """
    key = f"scheduling:short-drugs:{location.public_id}:{timezone.localdate().isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    forecast = demand_forecast(
        organization=location.organization, location=location, days=STOCK_HORIZON_DAYS
    )
    short: dict[int, dt.date] = {}
    for row in forecast.short_rows:
        if row.stockout is not None:
            drug_id = row.drug.pk
            short[drug_id] = min(row.stockout, short.get(drug_id, row.stockout))
    cache.set(key, short, STOCK_CACHE_SECONDS)
    return short


@on_booking_warning
def stock_warning(order: Any, location: Any, on_date: dt.date) -> str:
    """A warning when the forecast has too little of the drug by the date (never refuses),
    for dates within ``STOCK_HORIZON_DAYS`` (further out, the purchasing cycle catches up)."""
    if not 0 <= (on_date - timezone.localdate()).days <= STOCK_HORIZON_DAYS:
        return ""
    first_short = short_drugs_at(location).get(order.drug_id)
    if first_short is None or first_short > on_date:
        return ""
    return (
        f"Stock forecast: {order.drug.generic_name} runs short at {location.name} from "
        f"{us_date(first_short)}; order more (the booking is kept)."
    )


@on_appointment_panel
def reserved_vials(appointment: Any) -> dict[str, Any]:
    """The vials reserved for the appointment (lot reservations), for its panel."""
    rows = appointment_reservations(appointment) if appointment.pk else []
    return {
        "reservations": [r for r in rows if r.status != "released"],
        "reserve_days": getattr(settings, "STOCK_RESERVATION_BUSINESS_DAYS", 3),
    }
