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
class WeightBand:
    """A flat dose for a range of body weights, as labels print them in a dosing table.

    Applies when the weight is < ``below_kg``, or <= ``up_to_kg``, or to any weight when
    both are empty (the last row, "more than 85 kg"). The lower limit is the band before it:
    a rule's bands are read in order and the first that applies wins. So the STELARA IV
    table (label 2.3: "55 kg or less" 260 mg, "more than 55 kg to 85 kg" 390 mg, "more than
    85 kg" 520 mg) is ``(WeightBand(260, up_to_kg=55), WeightBand(390, up_to_kg=85),
    WeightBand(520))``, and ORENCIA's (label 2.1 Table 1: "less than 60 kg" 500 mg, "60 to
    100 kg" 750 mg, "more than 100 kg" 1,000 mg) is ``(WeightBand(500, below_kg=60),
    WeightBand(750, up_to_kg=100), WeightBand(1000))``.
    """

    mg: Decimal
    below_kg: Decimal | None = None
    up_to_kg: Decimal | None = None


@dataclass(frozen=True)
class DoseRule:
    """A flat dose (``mg``), a weight-based one (``mg_per_kg``) or weight ``bands``.

    Exactly one of the three is set; ``max_mg`` caps any of them.
    """

    mg: Decimal | None = None
    mg_per_kg: Decimal | None = None
    max_mg: Decimal | None = None
    bands: tuple[WeightBand, ...] = ()


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
    """Return the dose in mg: the flat ``mg``, ``mg_per_kg`` x weight capped at ``max_mg``,
    or the ``mg`` of the first weight band that applies.

    Exactly one of ``mg``, ``mg_per_kg`` and ``bands`` must be set. Weight-based rules
    (per kg or bands) need a weight above 0 and at most 400 kg; a weight no band covers is a
    ValueError, never a guess. The result is exact, never rounded: rounding to what can be
    measured is the pharmacy's step, not the prescription's.
    """
    flat = _optional_positive(rule.mg, "mg")
    per_kg = _optional_positive(rule.mg_per_kg, "mg_per_kg")
    cap = _optional_positive(rule.max_mg, "max_mg")
    if [flat is not None, per_kg is not None, bool(rule.bands)].count(True) != 1:
        raise ValueError("a dose rule needs exactly one of mg, mg_per_kg and bands")
    if rule.bands:
        index = _band_index(rule.bands, _weight(weight_kg))
        flat = _optional_positive(rule.bands[index].mg, "band mg")
    if flat is not None:
        if cap is not None and flat > cap:
            raise ValueError(f"flat dose {flat} mg exceeds the rule's max_mg {cap}")
        return flat
    assert per_kg is not None  # exactly one is set, and it is not flat
    dose = _exact_product(per_kg, _weight(weight_kg))
    return cap if cap is not None and dose > cap else dose


def weight_band_index(rule: DoseRule, weight_kg: Decimal) -> int | None:
    """Which of the rule's weight bands applies (0-based); None for a rule without bands.

    Two weights in different bands get different doses: a new weight that changes the
    band is a new dose, which the provider confirms. ValueError as :func:`dose_mg`.
    """
    if not rule.bands:
        return None
    return _band_index(rule.bands, _weight(weight_kg))


def _band_index(bands: tuple[WeightBand, ...], weight: Decimal) -> int:
    # Every band is checked, not only those before the match: a typo in a later band is
    # found the day the rule is saved, not the day a heavier patient comes in.
    limits = [_band_limits(band) for band in bands]
    for index, (below, up_to) in enumerate(limits):
        if below is not None and weight < below:
            return index
        if up_to is not None and weight <= up_to:
            return index
        if below is None and up_to is None:
            return index
    raise ValueError(f"no weight band of the dose rule covers {weight} kg")


def _band_limits(band: WeightBand) -> tuple[Decimal | None, Decimal | None]:
    _optional_positive(band.mg, "band mg")
    if band.mg is None:
        raise ValueError("every weight band needs its dose in mg")
    below = _optional_positive(band.below_kg, "below_kg")
    up_to = _optional_positive(band.up_to_kg, "up_to_kg")
    if below is not None and up_to is not None:
        raise ValueError("a weight band takes one of below_kg and up_to_kg, not both")
    return below, up_to


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


def bands_from_data(rows: object) -> tuple[WeightBand, ...]:
    """Weight bands from stored data: a list of ``{"mg", "below_kg"?, "up_to_kg"?}`` whose
    values are decimal strings (how the formulary file and the database keep them).

    None or an empty list is "no bands". ValueError for anything else that is not a band.
    """
    if rows is None:
        return ()
    if not isinstance(rows, list | tuple):
        raise ValueError(f"weight bands {rows!r} must be a list")
    bands = []
    for row in rows:
        if not isinstance(row, dict) or set(row) - {"mg", "below_kg", "up_to_kg"}:
            raise ValueError(f"weight band {row!r} takes only mg, below_kg and up_to_kg")
        bands.append(
            WeightBand(
                mg=_decimal(row.get("mg"), "band mg"),
                below_kg=_decimal_or_none(row.get("below_kg"), "below_kg"),
                up_to_kg=_decimal_or_none(row.get("up_to_kg"), "up_to_kg"),
            )
        )
    result = tuple(bands)
    for band in result:
        _band_limits(band)
    return result


def bands_to_data(bands: tuple[WeightBand, ...]) -> list[dict[str, str]]:
    """The inverse of :func:`bands_from_data` (decimal strings, empty limits left out)."""
    rows = []
    for band in bands:
        row = {"mg": f"{band.mg}"}
        if band.below_kg is not None:
            row["below_kg"] = f"{band.below_kg}"
        if band.up_to_kg is not None:
            row["up_to_kg"] = f"{band.up_to_kg}"
        rows.append(row)
    return rows


def describe_band(bands: tuple[WeightBand, ...], index: int) -> str:
    """The band as a label's table row reads it: "≤55 kg", ">55 to ≤85 kg", ">85 kg"."""

    def num(value: Decimal) -> str:
        return f"{value.normalize():f}"

    band, previous = bands[index], (bands[index - 1] if index else None)
    lower = ""
    if previous is not None and previous.up_to_kg is not None:
        lower = f">{num(previous.up_to_kg)}"
    elif previous is not None and previous.below_kg is not None:
        lower = f"≥{num(previous.below_kg)}"
    upper = ""
    if band.below_kg is not None:
        upper = f"<{num(band.below_kg)}"
    elif band.up_to_kg is not None:
        upper = f"≤{num(band.up_to_kg)}"
    if lower and upper:
        return f"{lower} to {upper} kg"
    return f"{lower or upper} kg" if lower or upper else "any weight"


def _decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"{name} {value!r} must be a decimal string")
    try:
        return Decimal(value)
    except ArithmeticError:
        raise ValueError(f"{name} {value!r} is not a number") from None


def _decimal_or_none(value: object, name: str) -> Decimal | None:
    return None if value in (None, "") else _decimal(value, name)
