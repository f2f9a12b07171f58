"""Replay a center's appointments through an ordering policy, day by day.

Two policies:

- ``forecast``: every review day, order per vial strength what ``forecast.suggest_order``
  says: enough for every dose booked until the next order could arrive (plus a spare vial
  when the shelf has no slack, ``forecast.spare_vials``), and at least ``target_days`` of
  average daily use (the larger of the last four weeks' use and the next four weeks'
  bookings), less stock on hand and on order.
- ``monthly``: on the first review day of each month, order what was used the month before
  (the first month: the doses booked for the next 30 days), whatever is on the shelf.

Each day: deliveries arrive (before the first patient), expired lots are taken off the
shelf, the day's doses are prepared first-expiry-first-out (``fefo.plan_dose``), and on a
review day the policy orders. A visit may need one vial more than was booked, of the
smallest size (the appointment's ``extra_vial``: a weight-based dose raised on the day): the
forecast cannot see it, stock on hand must absorb it.
A dose the shelf cannot cover is a stock-out: it is not given
that day, an emergency order goes out for it, and the patient is rebooked for the day it
arrives (both policies alike).

Measured: average inventory at cost (end of each day), days-on-hand = that ÷ the average
cost of drug used per day, stock-out days (a drug and a day on which a dose could not be
prepared), vials expired on the shelf.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from bench.sim.treatment_replay import SimAppointment
from chairside.rules.inventory.fefo import LotStock, Pick, pick_fefo, plan_dose
from chairside.rules.inventory.forecast import (
    arrival_date,
    average_daily_use,
    spare_vials,
    suggest_order,
    window_total,
)
from chairside.rules.inventory.vials import choose_vials

POLICIES = ("forecast", "monthly")
PackageKey = tuple[str, Decimal]
ONE_DAY = dt.timedelta(days=1)
USE_WINDOW = 28  # days of use (past) and bookings (ahead) averaged for daily use


@dataclass(frozen=True)
class SimDrug:
    key: str
    vial_costs: Mapping[Decimal, Decimal]  # vial strength mg -> acquisition cost per vial


@dataclass(frozen=True)
class SimConfig:
    start: dt.date
    days: int
    lead_time_days: int = 1
    target_days: int = 7
    delivery_weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    review_weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    # Shelf life left when a lot is delivered: a simulation assumption, not a label fact.
    shelf_life_days: tuple[int, int] = (90, 540)
    seed: int = 1


@dataclass(frozen=True)
class DrugResult:
    avg_vials_on_hand: Decimal
    vials_used_per_day: Decimal
    stockout_days: int
    vials_expired: int


@dataclass(frozen=True)
class PolicyResult:
    policy: str
    avg_days_on_hand: Decimal
    stockout_days: int
    missed_doses: int
    vials_expired: int
    avg_inventory_value: Decimal
    vials_dispensed: int
    order_lines: int
    per_drug: dict[str, DrugResult]

    def headline(self) -> dict[str, object]:
        """The four figures the benchmark prints, JSON-ready."""
        return {
            "avg_days_on_hand": float(self.avg_days_on_hand),
            "stockout_days": self.stockout_days,
            "vials_expired": self.vials_expired,
            "avg_inventory_value": float(self.avg_inventory_value),
        }


@dataclass
class _Lot:
    lot_id: str
    expires_on: dt.date
    vials: int


@dataclass
class _State:
    """The shelf, the orders on the way, the booked demand and the tallies."""

    drugs: Mapping[str, SimDrug]
    lots: dict[PackageKey, list[_Lot]] = field(default_factory=lambda: defaultdict(list))
    pipeline: dict[PackageKey, dict[dt.date, int]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    booked: dict[PackageKey, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(dict))
    by_day: dict[dt.date, list[SimAppointment]] = field(default_factory=lambda: defaultdict(list))
    cancels: dict[dt.date, list[SimAppointment]] = field(default_factory=lambda: defaultdict(list))
    used: dict[PackageKey, dict[dt.date, int]] = field(default_factory=lambda: defaultdict(dict))
    value_days: Decimal = Decimal(0)
    vials_days: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    dispensed_value: Decimal = Decimal(0)
    stockouts: set[tuple[str, dt.date]] = field(default_factory=set)
    missed: int = 0
    expired: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    order_lines: int = 0
    next_lot: int = 0
    next_appointment: int = 10**9

    def cost(self, key: PackageKey) -> Decimal:
        return self.drugs[key[0]].vial_costs[key[1]]

    def vials_for(self, appointment: SimAppointment) -> dict[Decimal, int]:
        return choose_vials(appointment.dose_mg, list(self.drugs[appointment.drug].vial_costs))

    def on_hand(self, key: PackageKey) -> int:
        return sum(lot.vials for lot in self.lots[key])

    def add_booking(self, appointment: SimAppointment, sign: int) -> None:
        for strength, count in self.vials_for(appointment).items():
            days = self.booked[(appointment.drug, strength)]
            days[appointment.day] = days.get(appointment.day, 0) + sign * count
            if days[appointment.day] == 0:
                del days[appointment.day]

    def order(self, key: PackageKey, vials: int, arrives: dt.date) -> None:
        if vials > 0:
            self.pipeline[key][arrives] = self.pipeline[key].get(arrives, 0) + vials
            self.order_lines += 1


def simulate(
    appointments: Sequence[SimAppointment],
    drugs: Sequence[SimDrug],
    config: SimConfig,
    policy: str,
) -> PolicyResult:
    """Replay ``config.days`` days from ``config.start`` under ``policy`` (see module doc)."""
    if policy not in POLICIES:
        raise ValueError(f"policy {policy!r} must be one of {', '.join(POLICIES)}")
    if config.days <= 0:
        raise ValueError(f"days {config.days} must be greater than 0")
    state = _State(drugs={d.key: d for d in drugs})
    unknown = {a.drug for a in appointments} - set(state.drugs)
    if unknown:
        raise ValueError(f"appointments for drugs with no vials: {', '.join(sorted(unknown))}")
    rng = random.Random(config.seed)  # noqa: S311 (a seeded simulation, not security)
    pending = sorted(appointments, key=lambda a: a.booked_on)
    cursor = _book_until(state, pending, 0, config.start - ONE_DAY)
    _opening_order(state, config, policy)
    day = config.start
    end = config.start + dt.timedelta(days=config.days)
    while day < end:
        cursor = _book_until(state, pending, cursor, day)
        _receive(state, day, config, rng)
        _expire(state, day)
        _serve(state, day, config)
        _tally(state)
        if day.weekday() in config.review_weekdays:
            _review(state, day, config, policy)
        day += ONE_DAY
    return _result(state, config, policy)


def _book_until(state: _State, pending: Sequence[SimAppointment], cursor: int, day: dt.date) -> int:
    """Make known the appointments booked up to ``day``; drop those moved away that day."""
    while cursor < len(pending) and pending[cursor].booked_on <= day:
        appointment = pending[cursor]
        cursor += 1
        if appointment.cancelled_on is not None:
            if appointment.cancelled_on <= day:
                continue  # booked and moved away before we looked
            state.cancels[appointment.cancelled_on].append(appointment)
        state.by_day[appointment.day].append(appointment)
        state.add_booking(appointment, +1)
    for appointment in state.cancels.pop(day, []):
        state.by_day[appointment.day].remove(appointment)
        state.add_booking(appointment, -1)
    return cursor


def _opening_order(state: _State, config: SimConfig, policy: str) -> None:
    """Both policies start with an empty shelf and one delivery before the first patient."""
    horizon = config.target_days if policy == "forecast" else 30
    until = config.start + dt.timedelta(days=horizon)
    for key, demand in state.booked.items():
        need = sum(n for day, n in demand.items() if config.start <= day < until)
        state.order(key, need, config.start)


def _receive(state: _State, day: dt.date, config: SimConfig, rng: random.Random) -> None:
    for key, arrivals in state.pipeline.items():
        vials = arrivals.pop(day, 0)
        if vials:
            state.next_lot += 1
            life = dt.timedelta(days=rng.randint(*config.shelf_life_days))
            state.lots[key].append(_Lot(f"L{state.next_lot:06d}", day + life, vials))


def _expire(state: _State, day: dt.date) -> None:
    for key, lots in state.lots.items():
        for lot in [lot for lot in lots if lot.expires_on < day]:
            state.expired[key[0]] += lot.vials
            lots.remove(lot)


def _serve(state: _State, day: dt.date, config: SimConfig) -> None:
    for appointment in list(state.by_day.pop(day, [])):
        state.add_booking(appointment, -1)
        if appointment.no_show:
            continue
        if not _dispense(state, appointment, day):
            _stockout(state, appointment, day, config)


def _dispense(state: _State, appointment: SimAppointment, day: dt.date) -> bool:
    shelf = {
        lot.lot_id: (strength, lot)
        for (drug, strength), lots in state.lots.items()
        if drug == appointment.drug
        for lot in lots
    }
    stock = [LotStock(i, s, lot.expires_on, lot.vials) for i, (s, lot) in shelf.items()]
    picks = _picks(state, appointment, stock, day)
    if picks is None:
        return False
    for pick in picks:
        strength, lot = shelf[pick.lot_id]
        key = (appointment.drug, strength)
        lot.vials -= pick.vials
        if lot.vials == 0:
            state.lots[key].remove(lot)
        state.used[key][day] = state.used[key].get(day, 0) + pick.vials
        state.dispensed_value += state.cost(key) * pick.vials
    return True


def _picks(
    state: _State, appointment: SimAppointment, stock: list[LotStock], day: dt.date
) -> list[Pick] | None:
    """The booked vials (plus the extra one: the smallest size), or failing that the best
    the shelf holds for the dose; None when the shelf cannot cover it."""
    smallest = min(state.drugs[appointment.drug].vial_costs)
    needed = state.vials_for(appointment)
    dose = appointment.dose_mg
    if appointment.extra_vial:
        needed = {**needed, smallest: needed.get(smallest, 0) + 1}
        dose += smallest
    try:
        return pick_fefo(stock, needed, today=day)
    except ValueError:
        pass
    try:
        return plan_dose(stock, dose, today=day)
    except ValueError:
        return None


def _stockout(state: _State, appointment: SimAppointment, day: dt.date, config: SimConfig) -> None:
    state.stockouts.add((appointment.drug, day))
    state.missed += 1
    arrives = arrival_date(day, max(config.lead_time_days, 1), config.delivery_weekdays)
    for strength, count in state.vials_for(appointment).items():
        state.order((appointment.drug, strength), count, arrives)
    state.next_appointment += 1
    again = SimAppointment(
        appointment_id=state.next_appointment,
        patient_id=appointment.patient_id,
        drug=appointment.drug,
        dose_mg=appointment.dose_mg,
        day=arrives,
        booked_on=day,
    )
    state.by_day[arrives].append(again)
    state.add_booking(again, +1)


def _tally(state: _State) -> None:
    for key, lots in state.lots.items():
        vials = sum(lot.vials for lot in lots)
        state.vials_days[key[0]] += vials
        state.value_days += state.cost(key) * vials


def _review(state: _State, day: dt.date, config: SimConfig, policy: str) -> None:
    arrives = arrival_date(day, config.lead_time_days, config.delivery_weekdays)
    if policy == "forecast":
        arrives = max(arrives, day + ONE_DAY)
        next_arrival = arrival_date(
            _next_review(day, config), config.lead_time_days, config.delivery_weekdays
        )
        use = {key: _daily_use(state, key, day) for key in set(state.booked) | set(state.lots)}
        for key in sorted(use):
            suggestion = suggest_order(
                on_hand=state.on_hand(key),
                demand=state.booked[key],
                start=day + ONE_DAY,
                arrives_on=arrives,
                next_arrival=max(next_arrival, arrives),
                target_days=config.target_days,
                daily_use=use[key],
                on_order=state.pipeline[key],
                spare_vials=_spare(
                    state,
                    key,
                    day,
                    next_arrival=next_arrival,
                    daily_use=use[key],
                    target_days=config.target_days,
                ),
            )
            state.order(key, suggestion.vials, suggestion.arrives_on)
    elif _first_review_of_month(day, config):
        month_start = day.replace(day=1)
        last_month = (month_start - ONE_DAY).replace(day=1)
        for key, used in sorted(state.used.items()):
            vials = sum(n for d, n in used.items() if last_month <= d < month_start)
            state.order(key, vials, arrives)


def _daily_use(state: _State, key: PackageKey, day: dt.date) -> Decimal:
    """Vials a day: the larger of the last four weeks' use and the next four weeks' bookings."""
    past = average_daily_use(state.used[key], day - dt.timedelta(days=USE_WINDOW - 1), USE_WINDOW)
    ahead = average_daily_use(state.booked[key], day + ONE_DAY, USE_WINDOW)
    return max(past, ahead)


def _spare(
    state: _State,
    key: PackageKey,
    day: dt.date,
    *,
    next_arrival: dt.date,
    daily_use: Decimal,
    target_days: int,
) -> int:
    """``forecast.spare_vials`` for this package, from the bookings until the next arrival."""
    soon = [day + dt.timedelta(days=n) for n in range(1, (next_arrival - day).days)]
    weight_based = sum(
        1 for d in soon for a in state.by_day.get(d, []) if a.drug == key[0] and a.weight_based
    )
    return spare_vials(
        key[1],
        list(state.drugs[key[0]].vial_costs),
        weight_based_soon=weight_based,
        booked_soon=window_total(state.booked[key], day + ONE_DAY, next_arrival),
        working_stock=int((daily_use * target_days).to_integral_value(ROUND_FLOOR)),
    )


def _next_review(day: dt.date, config: SimConfig) -> dt.date:
    following = day + ONE_DAY
    while following.weekday() not in config.review_weekdays:
        following += ONE_DAY
    return following


def _first_review_of_month(day: dt.date, config: SimConfig) -> bool:
    earlier = day - ONE_DAY
    while earlier.month == day.month:
        if earlier.weekday() in config.review_weekdays:
            return False
        earlier -= ONE_DAY
    return True


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _result(state: _State, config: SimConfig, policy: str) -> PolicyResult:
    days = Decimal(config.days)
    avg_value = state.value_days / days
    daily_use_value = state.dispensed_value / days
    doh = avg_value / daily_use_value if daily_use_value else Decimal(0)
    per_drug: dict[str, DrugResult] = {}
    for drug in sorted(state.drugs):
        used = sum(sum(d.values()) for (k, _), d in state.used.items() if k == drug)
        per_drug[drug] = DrugResult(
            avg_vials_on_hand=(Decimal(state.vials_days[drug]) / days).quantize(Decimal("0.1")),
            vials_used_per_day=(Decimal(used) / days).quantize(Decimal("0.01")),
            stockout_days=sum(1 for d, _ in state.stockouts if d == drug),
            vials_expired=state.expired[drug],
        )
    return PolicyResult(
        policy=policy,
        avg_days_on_hand=doh.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        stockout_days=len(state.stockouts),
        missed_doses=state.missed,
        vials_expired=sum(state.expired.values()),
        avg_inventory_value=_money(avg_value),
        vials_dispensed=sum(sum(d.values()) for d in state.used.values()),
        order_lines=state.order_lines,
        per_drug=per_drug,
    )
