"""Storage temperature: which readings are excursions, and the mean kinetic temperature.

Ranges (USP General Chapter <659> "Packaging and Storage Requirements", storage temperature
definitions, which USP <797> §10 "Storage" refers compounded sterile preparations to):

- **refrigerator**: a cold place controlled between 2 °C and 8 °C;
- **freezer**: a place controlled between -25 °C and -10 °C;
- **controlled room temperature** (CRT): thermostatically maintained at 20-25 °C; excursions
  between 15 °C and 30 °C are allowed provided the mean kinetic temperature (MKT) does not
  exceed 25 °C. (USP also allows transient spikes up to 40 °C for no more than 24 hours; a
  log read twice a day cannot show a spike's duration, so Chairside treats anything above
  30 °C as an excursion that needs a follow-up.)

For refrigerators and freezers every reading outside the range is an excursion: cold-chain
products (biologics, compounded preparations) are judged product by product, so each one is
followed up with a product impact assessment.

MKT (USP <1160> "Pharmaceutical Calculations in Pharmacy Practice" and <1079.2> "Mean Kinetic
Temperature in the Evaluation of Temperature Excursions"): the single temperature that gives
the same thermal challenge as the varying readings,
``MKT = (ΔH/R) / -ln((Σ e^(-ΔH/(R·Tᵢ))) / n)`` in kelvin, with the default activation energy
ΔH = 83.144 kJ/mol and R = 8.3144 J/(mol·K), so ΔH/R = 10,000 K.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    REFRIGERATOR = "refrigerator"
    FREEZER = "freezer"
    ROOM = "room"


class Status(StrEnum):
    IN_RANGE = "in_range"
    ALLOWED = "allowed"  # CRT: between 15 and 30 °C with the MKT at or below 25 °C
    EXCURSION = "excursion"


@dataclass(frozen=True)
class Range:
    low: Decimal
    high: Decimal
    # CRT only: the allowed excursion band and the MKT ceiling.
    allowed_low: Decimal | None = None
    allowed_high: Decimal | None = None
    mkt_max: Decimal | None = None


DEFAULT_RANGES: dict[Kind, Range] = {
    Kind.REFRIGERATOR: Range(Decimal("2"), Decimal("8")),
    Kind.FREEZER: Range(Decimal("-25"), Decimal("-10")),
    Kind.ROOM: Range(
        Decimal("20"),
        Decimal("25"),
        allowed_low=Decimal("15"),
        allowed_high=Decimal("30"),
        mkt_max=Decimal("25"),
    ),
}

ACTIVATION_OVER_R_K = 10_000.0  # ΔH/R = 83,144 J/mol ÷ 8.3144 J/(mol·K)
KELVIN = 273.15
# The readings the MKT of a room is computed over (a rolling window; USP leaves the period
# to the organization's procedure — Chairside takes the past 30 days).
MKT_WINDOW = dt.timedelta(days=30)


def device_range(kind: str, low: Decimal | None = None, high: Decimal | None = None) -> Range:
    """The range a device is held to: the USP range of its kind, or a narrower one the
    product's label asks for (``low``/``high``). ValueError for an unknown kind or an empty
    range."""
    try:
        base = DEFAULT_RANGES[Kind(kind)]
    except ValueError:
        raise ValueError(f"'{kind}' is not refrigerator, freezer or room.") from None
    low = base.low if low is None else low
    high = base.high if high is None else high
    if low >= high:
        raise ValueError(f"The low limit {low} °C must be below the high limit {high} °C.")
    return Range(low, high, base.allowed_low, base.allowed_high, base.mkt_max)


def mean_kinetic_temperature(celsius: Sequence[Decimal | float]) -> Decimal:
    """The MKT of equally spaced readings, in °C rounded to 0.1 (ValueError when empty)."""
    if not celsius:
        raise ValueError("The mean kinetic temperature needs at least one reading.")
    terms = [math.exp(-ACTIVATION_OVER_R_K / (float(c) + KELVIN)) for c in celsius]
    kelvin = ACTIVATION_OVER_R_K / -math.log(sum(terms) / len(terms))
    return Decimal(str(round(kelvin - KELVIN, 1)))


def reading_status(celsius: Decimal, limits: Range, *, mkt: Decimal | None = None) -> Status:
    """Whether one reading is in range, an allowed CRT excursion, or an excursion.

    ``mkt`` is the room's MKT including this reading; without it (or above the ceiling) an
    out-of-range room reading is an excursion.
    """
    if limits.low <= celsius <= limits.high:
        return Status.IN_RANGE
    if (
        limits.allowed_low is not None
        and limits.allowed_high is not None
        and limits.mkt_max is not None
        and limits.allowed_low <= celsius <= limits.allowed_high
        and mkt is not None
        and mkt <= limits.mkt_max
    ):
        return Status.ALLOWED
    return Status.EXCURSION


def excursion_text(celsius: Decimal, limits: Range) -> str:
    """Why a reading is an excursion, for the log and the surveyor's report."""
    side = "below" if celsius < limits.low else "above"
    limit = limits.low if celsius < limits.low else limits.high
    return f"{celsius} °C is {side} the {limits.low} to {limits.high} °C range ({side} {limit})."


def joins_open_excursion(previous_status: Status | None, open_without_follow_up: bool) -> bool:
    """A reading out of range continues the excursion of the reading just before it when that
    one was out of range too and nobody has closed it with a follow-up; otherwise it opens a
    new excursion (one follow-up covers one continuous episode)."""
    return previous_status == Status.EXCURSION and open_without_follow_up
