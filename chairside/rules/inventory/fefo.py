"""Which lots to take vials from: first expiry, first out (FEFO), never an expired lot.

A lot is usable through its expiry date and not after it. A label that gives only a month
and year expires on the last day of that month (USP General Chapter <7> Labeling, "Expiration
Date and Beyond-Use Date"); :func:`label_expiry` turns such a label into that date.

Patient-specific stock ("white bag": drug a specialty pharmacy ships for one patient) may
only go to that patient, and it is used before the center's own stock for them. The center
did not buy it, so it is never billed as the center's drug (Medicare Benefit Policy Manual,
Chapter 15, §50.3 and §60.1.A: a drug is covered incident to a physician's service only when
its cost is an expense to the physician; when the patient's drug comes from elsewhere only
the administration is billed).

Which vials to open comes from :func:`chairside.rules.inventory.vials.choose_vials` (least waste,
then fewest vials). When the shelf does not hold that choice, :func:`plan_dose` finds the best
choice the shelf does hold, by the same order of preference.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from chairside.rules.inventory.vials import choose_vials


@dataclass(frozen=True)
class LotStock:
    """Unopened vials of one lot on the shelf.

    ``patient_id`` set means patient-specific stock, dispensable only to that patient.
    """

    lot_id: str
    strength_mg: Decimal
    expires_on: dt.date
    vials: int
    patient_id: str | None = None


@dataclass(frozen=True)
class Pick:
    """Take ``vials`` vials of ``strength_mg`` from lot ``lot_id``."""

    lot_id: str
    strength_mg: Decimal
    vials: int


def is_expired(expires_on: dt.date, today: dt.date) -> bool:
    """True after the expiry date; a lot may still be used on the date itself."""
    return expires_on < today


def label_expiry(year: int, month: int, day: int | None = None) -> dt.date:
    """The expiry date a label means: with no day, the last day of the month (USP <7>)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} must be 1 to 12")
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return dt.date(year, month, last)
    if not 1 <= day <= last:
        raise ValueError(f"{year}-{month:02d} has no day {day}")
    return dt.date(year, month, day)


def usable_lots(
    lots: Iterable[LotStock], *, today: dt.date, patient_id: str | None
) -> list[LotStock]:
    """Lots this patient's dose may come from, in the order to use them.

    Unexpired lots with vials, that are the center's stock or this patient's own; the
    patient's own stock first, then earliest expiry, then lot id (a stable tie-break).
    """
    eligible = [
        lot
        for lot in lots
        if lot.vials > 0
        and not is_expired(lot.expires_on, today)
        and (lot.patient_id is None or lot.patient_id == patient_id)
    ]
    return sorted(eligible, key=lambda lot: (lot.patient_id is None, lot.expires_on, lot.lot_id))


def pick_fefo(
    lots: Iterable[LotStock],
    needed: Mapping[Decimal, int],
    *,
    today: dt.date,
    patient_id: str | None = None,
) -> list[Pick]:
    """Take ``needed`` ({strength: vials}) from the lots, first expiry first.

    Raises ValueError when a count is negative or the usable lots hold too few vials of a
    strength (the message says how many are short).
    """
    usable = usable_lots(lots, today=today, patient_id=patient_id)
    picks: list[Pick] = []
    for strength, count in sorted(needed.items(), reverse=True):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"vial count {count!r} for {strength} mg must be a whole number >= 0")
        remaining = count
        for lot in usable:
            if remaining == 0:
                break
            if lot.strength_mg != strength:
                continue
            take = min(lot.vials, remaining)
            picks.append(Pick(lot.lot_id, lot.strength_mg, take))
            remaining -= take
        if remaining:
            have = count - remaining
            raise ValueError(
                f"{count} unexpired {_mg(strength)} mg vial{'s' if count != 1 else ''} needed; "
                f"only {have} on hand"
            )
    return picks


def plan_dose(
    lots: Iterable[LotStock],
    dose_mg: Decimal,
    *,
    today: dt.date,
    patient_id: str | None = None,
) -> list[Pick]:
    """The vials to open for one dose, and the lots to take them from.

    The vial choice is ``choose_vials`` over the strengths on the shelf; when the shelf does
    not hold that many, the least-waste (then fewest-vials, then larger-vials) choice it does
    hold. Raises ValueError when no usable stock can cover the dose.
    """
    usable = usable_lots(lots, today=today, patient_id=patient_id)
    available: dict[Decimal, int] = {}
    for lot in usable:
        available[lot.strength_mg] = available.get(lot.strength_mg, 0) + lot.vials
    if not available:
        raise ValueError("no unexpired stock of this drug is on hand")
    chosen = choose_vials(dose_mg, sorted(available))
    if any(count > available[size] for size, count in chosen.items()):
        chosen = choose_within_stock(dose_mg, available)
    return pick_fefo(usable, chosen, today=today, patient_id=patient_id)


def choose_within_stock(dose_mg: Decimal, available: Mapping[Decimal, int]) -> dict[Decimal, int]:
    """Like ``choose_vials`` but opening at most ``available[size]`` vials of each size.

    Raises ValueError when everything on hand together is less than the dose.
    """
    if dose_mg <= 0:
        raise ValueError(f"dose {_mg(dose_mg)} must be greater than 0 mg")
    sizes = sorted((s for s, n in available.items() if n > 0), reverse=True)
    total = sum((s * available[s] for s in sizes), Decimal(0))
    if total < dose_mg:
        raise ValueError(f"a {_mg(dose_mg)} mg dose needs more than the {_mg(total)} mg on hand")
    best: tuple[Decimal, int, tuple[int, ...]] | None = None
    for counts in _bounded_counts(dose_mg, sizes, available):
        opened = sum((s * n for s, n in zip(sizes, counts, strict=True)), Decimal(0))
        if opened < dose_mg:
            continue
        # Least opened, then fewest vials, then most of the larger sizes.
        key = (opened, sum(counts), tuple(-n for n in counts))
        if best is None or key < best:
            best = key
    assert best is not None  # everything on hand covers the dose
    return {s: -n for s, n in zip(sizes, best[2], strict=True) if n}


def _bounded_counts(
    dose_mg: Decimal, sizes: Sequence[Decimal], available: Mapping[Decimal, int]
) -> Iterable[tuple[int, ...]]:
    # No size needs more vials than it takes to reach the dose alone (one more would only
    # add waste), so the search is small: a few sizes, tens of vials at most.
    ranges = [range(min(available[s], _ceil(dose_mg / s)) + 1) for s in sizes]
    return itertools.product(*ranges)


def _ceil(value: Decimal) -> int:
    # Decimal's // truncates toward zero, so -(-a // b) is not a ceiling for Decimals.
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def _mg(value: Decimal) -> str:
    """A quantity as people write it: 300, not 300.000 or 3E+2."""
    return f"{Decimal(value).normalize():f}"
