"""Treatment regimens: when doses fall, and how many milligrams each dose is.

A regimen is a few loading doses at fixed day offsets from the first infusion, then an
optional maintenance interval, which is how FDA labels write infusion schedules, e.g.
infliximab (Remicade label, section 2): 5 mg/kg "at 0, 2 and 6 weeks" then "every 8 weeks"
is ``Regimen((0, 14, 42), 56)``. A regimen without an interval is a fixed course, e.g.
rituximab for rheumatoid arthritis (Rituxan label, section 2.4): two 1000 mg infusions two
weeks apart, ``Regimen((0, 14), None)``.

Offsets are counted from the FIRST infusion, not from the previous dose. That matters for
ocrelizumab (Ocrevus label, section 2.3): 300 mg on day 1 and day 15, then 600 mg every
6 months, the first 600 mg dose 6 months after the first 300 mg infusion, not after the
second: ``Regimen((0, 14, 182), 182)``.

Invalid regimens and dose rules are reported (ValueError) by the functions that use them,
so a value loaded from storage can be checked with :func:`check_regimen` before it is saved.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext

# A sanity bound, not a clinical rule: it catches grams or a slipped decimal point typed into
# the weight. Weight-based doses above it need a person to look, not a formula.
MAX_WEIGHT_KG = Decimal(400)


@dataclass(frozen=True)
class Regimen:
    """Dose k on day ``loading_days[k]`` after the first dose, then every interval days.

    ``loading_days`` start at 0 and strictly increase; an empty tuple with an interval means
    day 0 then every interval. ``maintenance_interval_days`` None means a fixed course.
    """

    loading_days: tuple[int, ...]
    maintenance_interval_days: int | None


@dataclass(frozen=True)
class DoseRule:
    """A flat dose (``mg``) or a weight-based one (``mg_per_kg``), optionally capped."""

    mg: Decimal | None = None
    mg_per_kg: Decimal | None = None
    max_mg: Decimal | None = None


def check_regimen(regimen: Regimen) -> None:
    """Raise ValueError unless the regimen's offsets and interval make a schedule."""
    days, interval = regimen.loading_days, regimen.maintenance_interval_days
    if any(isinstance(day, bool) or not isinstance(day, int) for day in days):
        raise ValueError(f"loading days {days!r} must be whole numbers of days")
    if days and days[0] != 0:
        raise ValueError(f"loading days {days!r} must start at 0, the first dose")
    if any(later <= earlier for earlier, later in zip(days, days[1:], strict=False)):
        raise ValueError(f"loading days {days!r} must strictly increase")
    if interval is not None and (isinstance(interval, bool) or not isinstance(interval, int)):
        raise ValueError(f"maintenance interval {interval!r} must be a whole number of days")
    if interval is not None and interval <= 0:
        raise ValueError(f"maintenance interval {interval} days must be greater than 0")
    if not days and interval is None:
        raise ValueError("a regimen needs loading days, a maintenance interval, or both")


def _offsets(regimen: Regimen) -> tuple[int, ...]:
    check_regimen(regimen)
    # No loading doses is the same schedule as a single loading dose on day 0.
    return regimen.loading_days or (0,)


def _offset(regimen: Regimen, offsets: tuple[int, ...], k: int) -> int | None:
    """Day offset of dose k (0-based), or None past the end of a fixed course."""
    if k < len(offsets):
        return offsets[k]
    interval = regimen.maintenance_interval_days
    if interval is None:
        return None
    return offsets[-1] + (k - len(offsets) + 1) * interval


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} {value!r} must be a whole number")
    if value < 0:
        raise ValueError(f"{name} {value} must not be negative")
    return value


def dose_dates(regimen: Regimen, first_dose: date, count: int) -> list[date]:
    """Return the dates of the first ``count`` doses, the first on ``first_dose``.

    ``count`` 0 gives []; a negative count, an invalid regimen, or more doses than a fixed
    course has raise ValueError.
    """
    offsets = _offsets(regimen)
    _count(count, "dose count")
    if regimen.maintenance_interval_days is None and count > len(offsets):
        raise ValueError(f"the fixed course has {len(offsets)} doses; {count} were asked for")
    return [first_dose + timedelta(days=_scheduled(regimen, offsets, k)) for k in range(count)]


def _scheduled(regimen: Regimen, offsets: tuple[int, ...], k: int) -> int:
    offset = _offset(regimen, offsets, k)
    if offset is None:
        raise ValueError(f"the fixed course has {len(offsets)} doses; dose {k + 1} does not exist")
    return offset


def doses_between(regimen: Regimen, first_dose: date, start: date, end: date) -> list[date]:
    """Return the regimen's dose dates falling in ``[start, end]`` (both included).

    Used to list patients due for a dose in a window. Raises ValueError if start > end.
    """
    offsets = _offsets(regimen)
    if start > end:
        raise ValueError(f"the window starts {start} after it ends {end}")
    k = _first_dose_on_or_after(regimen, offsets, (start - first_dose).days)
    last_day = (end - first_dose).days
    dates: list[date] = []
    while (offset := _offset(regimen, offsets, k)) is not None and offset <= last_day:
        dates.append(first_dose + timedelta(days=offset))
        k += 1
    return dates


def _first_dose_on_or_after(regimen: Regimen, offsets: tuple[int, ...], day: int) -> int:
    interval = regimen.maintenance_interval_days
    if interval is None or day <= offsets[-1]:
        return bisect.bisect_left(offsets, day)
    # Jump straight into the maintenance phase instead of walking years of doses.
    return len(offsets) - 1 + -(-(day - offsets[-1]) // interval)


def earliest_next_dose(regimen: Regimen, first_dose: date, doses_given: int) -> date | None:
    """Return the scheduled date of the next dose after ``doses_given`` doses.

    The schedule counts from the first dose, so a late dose does not move the later ones
    (a clinic that resets the schedule after a delay passes the new first dose). Returns None
    when a fixed course is complete. Raises ValueError for a negative count.
    """
    offsets = _offsets(regimen)
    offset = _offset(regimen, offsets, _count(doses_given, "doses given"))
    return None if offset is None else first_dose + timedelta(days=offset)


def dose_mg(rule: DoseRule, weight_kg: Decimal) -> Decimal:
    """Return the dose in mg: the flat ``mg``, or ``mg_per_kg`` x weight capped at ``max_mg``.

    Exactly one of ``mg`` and ``mg_per_kg`` must be set. Weight-based rules need a weight
    above 0 and at most 400 kg. The result is exact, never rounded: rounding to what can be
    measured is the pharmacy's step, not the prescription's.
    """
    flat = _optional_positive(rule.mg, "mg")
    per_kg = _optional_positive(rule.mg_per_kg, "mg_per_kg")
    cap = _optional_positive(rule.max_mg, "max_mg")
    if (flat is None) == (per_kg is None):
        raise ValueError("a dose rule needs exactly one of mg and mg_per_kg")
    if flat is not None:
        if cap is not None and flat > cap:
            raise ValueError(f"flat dose {flat} mg exceeds the rule's max_mg {cap}")
        return flat
    assert per_kg is not None  # exactly one is set, and it is not flat
    dose = _exact_product(per_kg, _weight(weight_kg))
    return cap if cap is not None and dose > cap else dose


def _optional_positive(value: Decimal | None, name: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"{name} {value!r} must be a Decimal")
    result = Decimal(value)
    if not result.is_finite() or result <= 0:
        raise ValueError(f"{name} {value} must be greater than 0")
    return result


def _weight(weight_kg: Decimal) -> Decimal:
    if isinstance(weight_kg, bool) or not isinstance(weight_kg, Decimal | int):
        raise ValueError(f"weight {weight_kg!r} must be a Decimal number of kg")
    weight = Decimal(weight_kg)
    if not weight.is_finite() or not 0 < weight <= MAX_WEIGHT_KG:
        raise ValueError(f"weight {weight_kg} kg must be above 0 and at most {MAX_WEIGHT_KG} kg")
    return weight


def _exact_product(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        # A product never has more digits than its factors together, so this never rounds.
        ctx.prec = len(a.as_tuple().digits) + len(b.as_tuple().digits)
        return a * b
