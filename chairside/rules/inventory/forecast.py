"""Demand from booked doses, days-on-hand, the day a drug runs out, and what to order.

Demand is counted in vials of each strength, the unit stock is kept in: each booked dose
opens the vials ``choose_vials`` picks (least waste, then fewest vials). Single-dose vials
cannot be kept once opened, so a dose's demand is whole vials, never milligrams.

The suggested order brings a vial strength to the larger of two levels:

- the *must-cover* level: every vial booked from tomorrow until the *next* order could
  arrive (this order is the last chance to have them), plus a spare when the shelf has no
  slack (:func:`spare_vials`). Booked demand, not an average, is what keeps an infusion
  center from running out: a drug given every eight weeks to a handful of patients has
  lumpy demand, and an average runs short in the week three of them are booked;
- the *target* level: ``target_days`` × average daily use (days-on-hand = on hand ÷
  average daily use), the working stock that absorbs what the bookings do not show.

Less stock on hand and on order; never below zero. The lead time enters through the arrival
dates: an order placed today arrives on ``arrives_on``, the next one on ``next_arrival``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from chairside.rules.inventory.vials import choose_vials

PackageKey = tuple[str, Decimal]  # (drug key, vial strength in mg)
Demand = Mapping[dt.date, int]  # vials needed per day


class BookedDose(NamedTuple):
    """One booked dose: the day, the drug, the dose; optionally the patient, and whether
    the dose is per kg (recalculated from the weight taken on the day, see spare_vials)."""

    day: dt.date
    drug: str
    dose_mg: Decimal
    patient_id: str | None = None
    weight_based: bool = False


@dataclass(frozen=True)
class OrderSuggestion:
    """How many vials to order now, when they arrive, and what this order cannot save.

    ``short_before_arrival`` is the first day booked doses exceed the stock before this
    order can arrive: order it faster (or move the appointment), a bigger order won't help.
    """

    vials: int
    arrives_on: dt.date
    must_cover: int  # booked vials until the next order could arrive, plus any spare
    target_level: int  # target days × average daily use, rounded up to whole vials
    short_before_arrival: dt.date | None


def vials_for_doses(
    doses: Iterable[BookedDose], sizes_by_drug: Mapping[str, Sequence[Decimal]]
) -> dict[PackageKey, dict[dt.date, int]]:
    """Vials of each (drug, strength) needed per day for the booked doses.

    A drug with no sizes (no package stocked) raises ValueError: its doses cannot be
    prepared from stock and must not silently vanish from the forecast.
    """
    demand: dict[PackageKey, dict[dt.date, int]] = {}
    cache: dict[tuple[str, Decimal], dict[Decimal, int]] = {}
    for dose in doses:
        sizes = sizes_by_drug.get(dose.drug)
        if not sizes:
            raise ValueError(f"no vial sizes are known for {dose.drug}")
        key = (dose.drug, dose.dose_mg)
        if key not in cache:
            cache[key] = choose_vials(dose.dose_mg, list(sizes))
        for strength, count in cache[key].items():
            by_day = demand.setdefault((dose.drug, strength), {})
            by_day[dose.day] = by_day.get(dose.day, 0) + count
    return demand


def window_total(demand: Demand, start: dt.date, end: dt.date) -> int:
    """Vials needed on days ``start`` <= day < ``end``."""
    return sum(n for day, n in demand.items() if start <= day < end)


def average_daily_use(demand: Demand, start: dt.date, days: int) -> Decimal:
    """Vials per day over ``days`` days from ``start``."""
    if days <= 0:
        raise ValueError(f"days {days} must be greater than 0")
    total = window_total(demand, start, start + dt.timedelta(days=days))
    return Decimal(total) / Decimal(days)


def days_on_hand(on_hand: int, daily_use: Decimal) -> Decimal | None:
    """On hand ÷ average daily use, to one decimal; None when nothing is used."""
    if on_hand < 0:
        raise ValueError(f"on hand {on_hand} must not be negative")
    if daily_use < 0:
        raise ValueError(f"daily use {daily_use} must not be negative")
    if daily_use == 0:
        return None
    return (Decimal(on_hand) / daily_use).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def stockout_date(
    on_hand: int,
    demand: Demand,
    start: dt.date,
    end: dt.date,
    incoming: Demand | None = None,
) -> dt.date | None:
    """The first day in [start, end) whose booked vials exceed the stock by then.

    ``incoming`` vials arrive at the start of their day and can be used that day.
    """
    if on_hand < 0:
        raise ValueError(f"on hand {on_hand} must not be negative")
    arrivals = incoming or {}
    stock = on_hand + sum(n for day, n in arrivals.items() if day < start)
    day = start
    while day < end:
        stock += arrivals.get(day, 0) - demand.get(day, 0)
        if stock < 0:
            return day
        day += dt.timedelta(days=1)
    return None


def arrival_date(
    order_day: dt.date, lead_time_days: int, delivery_weekdays: frozenset[int] | None = None
) -> dt.date:
    """When an order placed on ``order_day`` arrives: after the lead time, on a delivery day.

    ``delivery_weekdays`` uses Monday = 0; None means every day. Lead time 0 is same day.
    """
    if lead_time_days < 0:
        raise ValueError(f"lead time {lead_time_days} days must not be negative")
    if delivery_weekdays is not None and not delivery_weekdays:
        raise ValueError("at least one delivery weekday is needed")
    day = order_day + dt.timedelta(days=lead_time_days)
    while delivery_weekdays is not None and day.weekday() not in delivery_weekdays:
        day += dt.timedelta(days=1)
    return day


def last_order_day(
    need_by: dt.date,
    lead_time_days: int,
    delivery_weekdays: frozenset[int] | None = None,
    order_weekdays: frozenset[int] | None = None,
) -> dt.date:
    """The last day an order can be placed and still arrive by ``need_by`` (its morning).

    Orders go out on ``order_weekdays`` (Monday = 0; None: any day). Raises ValueError when
    no weekday is allowed.
    """
    if order_weekdays is not None and not order_weekdays:
        raise ValueError("at least one ordering weekday is needed")
    day = need_by - dt.timedelta(days=lead_time_days)
    while (order_weekdays is not None and day.weekday() not in order_weekdays) or arrival_date(
        day, lead_time_days, delivery_weekdays
    ) > need_by:
        day -= dt.timedelta(days=1)
    return day


def suggest_order(
    *,
    on_hand: int,
    demand: Demand,
    start: dt.date,
    arrives_on: dt.date,
    next_arrival: dt.date,
    target_days: int,
    daily_use: Decimal,
    on_order: Demand | None = None,
    spare_vials: int = 0,
) -> OrderSuggestion:
    """The vials of one strength to order now (see the module docstring for the levels).

    ``demand`` is booked vials by day; ``start`` the first day still to be served from
    stock (tomorrow when today's doses are given); ``on_order`` what earlier orders bring,
    by arrival day. Raises ValueError for a negative stock, use, target or spare, or arrival
    dates out of order.
    """
    if target_days < 0:
        raise ValueError(f"target days-on-hand {target_days} must not be negative")
    if daily_use < 0 or spare_vials < 0 or on_hand < 0:
        raise ValueError("on hand, daily use and spare vials must not be negative")
    if not start <= arrives_on <= next_arrival:
        raise ValueError(
            f"arrivals must not come before {start}, nor the next ({next_arrival}) "
            f"before this one ({arrives_on})"
        )
    incoming = on_order or {}
    must_cover = window_total(demand, start, next_arrival) + spare_vials
    target_level = int((daily_use * target_days).to_integral_value(rounding=ROUND_FLOOR))
    position = on_hand + sum(incoming.values())
    return OrderSuggestion(
        vials=max(0, max(must_cover, target_level) - position),
        arrives_on=arrives_on,
        must_cover=must_cover,
        target_level=target_level,
        short_before_arrival=stockout_date(on_hand, demand, start, arrives_on, incoming),
    )


def spare_vials(
    strength_mg: Decimal,
    drug_sizes: Sequence[Decimal],
    *,
    weight_based_soon: int,
    booked_soon: int,
    working_stock: int,
) -> int:
    """Spare vials of a drug's smallest size: one per weight-based dose the slack can't cover.

    A weight-based dose is recalculated from the weight taken on the day and may need one
    more vial than was booked, of the smallest size. ``weight_based_soon`` counts such doses
    of the drug booked from tomorrow until the next order could arrive (the only days a
    spare can save); ``booked_soon`` and ``working_stock`` are this strength's vials booked
    then and its target level. Working stock beyond what is booked soon is slack: a surprise
    can use it and the next order replaces it. Other strengths and flat doses get no spare,
    so a costly, rarely used drug does not sit on the shelf for nothing.
    """
    if not drug_sizes:
        raise ValueError("the drug has no vial sizes")
    if min(weight_based_soon, booked_soon, working_stock) < 0:
        raise ValueError("counts must not be negative")
    if strength_mg != min(drug_sizes):
        return 0
    slack = max(0, working_stock - booked_soon)
    return max(0, weight_based_soon - slack)
