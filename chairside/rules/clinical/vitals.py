"""Vital signs at the chair: refuse impossible values, flag abnormal ones.

Two different questions, kept apart on purpose:

* **Physiological bounds** (:data:`BOUNDS`): a value outside them cannot be a reading of a
  living, conscious outpatient and is almost always a typing slip (``1200`` for ``120``,
  ``9.8`` for ``98``, °F typed into the °C field). They are refused (:func:`check_vitals`
  raises ``ValueError``) so nothing wrong is saved. The bounds are deliberately wide: an
  extreme but real value is never refused, it is flagged.
* **Out-of-range flags** (:func:`flag_vitals`): a plausible value outside the normal adult
  resting range. Flags never refuse; they tell the nurse to look and, for ``critical``
  flags, to hold the infusion and call the provider per the center's protocol.

Normal adult resting ranges and where they come from:

* Temperature 36.5-37.3 °C (97.8-99.1 °F), pulse 60-100 /min, breathing 12-18 /min:
  MedlinePlus Medical Encyclopedia, "Vital signs" (U.S. National Library of Medicine,
  medlineplus.gov/ency/article/002341.htm).
* Fever: 38.0 °C (100.4 °F) or higher (CDC, "Definitions of Symptoms for Reportable
  Illnesses": "a measured temperature of 100.4 °F [38 °C] or greater"). Infusion of an
  immunosuppressive biologic is usually held for fever / active infection (e.g. the
  infliximab, natalizumab and ocrelizumab labels, section 5, serious infections).
* Oxygen saturation 95-100 % normal; below 90 % is hypoxemia (MedlinePlus, "Pulse
  oximetry", medlineplus.gov/ency/article/003857.htm).
* Blood pressure: normal below 120/80; stage 2 hypertension 140/90 or higher; a
  hypertensive crisis above 180 and/or 120 (2017 ACC/AHA High Blood Pressure Guideline,
  Whelton et al., Hypertension 2018;71:e13-e115). Low: systolic below 90 or diastolic
  below 60 (MedlinePlus, "Low blood pressure", medlineplus.gov/ency/article/007278.htm).

Temperatures are kept in °C (one decimal); :func:`c_to_f` gives the °F the nurse also sees.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Level = Literal["abnormal", "critical"]

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class VitalSigns:
    """One set of readings; any reading may be missing (``None``)."""

    systolic: int | None = None  # mmHg
    diastolic: int | None = None  # mmHg
    pulse: int | None = None  # beats per minute
    temperature_c: Decimal | None = None  # degrees Celsius
    spo2: int | None = None  # percent
    respiratory_rate: int | None = None  # breaths per minute

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(frozen=True)
class Bound:
    label: str
    unit: str
    low: Decimal
    high: Decimal


# Values outside these cannot be a real reading of an outpatient in a chair (see module
# docstring): refused as typing errors. Wide on purpose.
BOUNDS: dict[str, Bound] = {
    "systolic": Bound("Systolic blood pressure", "mmHg", Decimal(40), Decimal(300)),
    "diastolic": Bound("Diastolic blood pressure", "mmHg", Decimal(20), Decimal(200)),
    "pulse": Bound("Pulse", "/min", Decimal(20), Decimal(250)),
    "temperature_c": Bound("Temperature", "°C", Decimal(30), Decimal(44)),
    "spo2": Bound("Oxygen saturation", "%", Decimal(50), Decimal(100)),
    "respiratory_rate": Bound("Respiratory rate", "/min", Decimal(4), Decimal(70)),
}

NORMAL_TEMP_C = (Decimal("36.5"), Decimal("37.3"))  # MedlinePlus "Vital signs"
FEVER_C = Decimal("38.0")  # CDC: 100.4 °F / 38 °C or greater
NORMAL_PULSE = (60, 100)  # MedlinePlus "Vital signs"
NORMAL_RESPIRATORY_RATE = (12, 18)  # MedlinePlus "Vital signs"
NORMAL_SPO2_LOW = 95  # MedlinePlus "Pulse oximetry"
HYPOXEMIA_SPO2 = 90  # MedlinePlus "Pulse oximetry": below 90 % is low
LOW_SYSTOLIC, LOW_DIASTOLIC = 90, 60  # MedlinePlus "Low blood pressure"
STAGE2_SYSTOLIC, STAGE2_DIASTOLIC = 140, 90  # 2017 ACC/AHA guideline
CRISIS_SYSTOLIC, CRISIS_DIASTOLIC = 180, 120  # 2017 ACC/AHA: hypertensive crisis


@dataclass(frozen=True)
class Flag:
    """An out-of-range reading: which field, how serious, and what to tell the nurse."""

    field: str
    level: Level
    message: str


def c_to_f(celsius: Decimal) -> Decimal:
    """Degrees Celsius to Fahrenheit, to one decimal (37.0 → 98.6)."""
    return (Decimal(celsius) * 9 / 5 + 32).quantize(TENTH, rounding=ROUND_HALF_UP)


def f_to_c(fahrenheit: Decimal) -> Decimal:
    """Degrees Fahrenheit to Celsius, to one decimal (100.4 → 38.0)."""
    return ((Decimal(fahrenheit) - 32) * 5 / 9).quantize(TENTH, rounding=ROUND_HALF_UP)


# The international pound is exactly 0.45359237 kg (NIST Handbook 44, Appendix C; the 1959
# international yard and pound agreement).
KG_PER_LB = Decimal("0.45359237")
TEMPERATURE_UNITS = {"F": "°F", "C": "°C"}  # US nurses chart °F: the form's default
WEIGHT_UNITS = {"lb": "lb", "kg": "kg"}


def temperature_in_c(value: Decimal, unit: str) -> Decimal:
    """A temperature typed in ``unit`` ("F" or "C") as stored: °C to one decimal."""
    if unit not in TEMPERATURE_UNITS:
        raise ValueError(f"temperature unit {unit!r} must be F or C")
    number = _decimal(value, "temperature")
    return f_to_c(number) if unit == "F" else number.quantize(TENTH, rounding=ROUND_HALF_UP)


def weight_in_kg(value: Decimal, unit: str) -> Decimal:
    """A weight typed in ``unit`` ("lb" or "kg") as stored: kg to one decimal."""
    if unit not in WEIGHT_UNITS:
        raise ValueError(f"weight unit {unit!r} must be lb or kg")
    number = _decimal(value, "weight")
    kg = number * KG_PER_LB if unit == "lb" else number
    return kg.quantize(TENTH, rounding=ROUND_HALF_UP)


def kg_to_lb(kg: Decimal) -> Decimal:
    """A stored weight in kg as pounds, to one decimal (69.9 → 154.1), for display."""
    return (Decimal(kg) / KG_PER_LB).quantize(TENTH, rounding=ROUND_HALF_UP)


def weight_shown(kg: Decimal | None) -> str:
    """A stored weight with both units, kg first (the stored one): "69.9 kg (154.1 lb)"."""
    if kg is None:
        return "—"
    return f"{Decimal(kg).quantize(TENTH)} kg ({kg_to_lb(kg)} lb)"


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"{what} must be a number, not {value!r}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{what} must be a number, not {value!r}")
    return number


def _number(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"{BOUNDS[name].label} must be a number, not {value!r}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{BOUNDS[name].label} must be a number, not {value!r}")
    if name != "temperature_c" and number != number.to_integral_value():
        raise ValueError(f"{BOUNDS[name].label} is a whole number ({value} was given)")
    return number


def problems(vitals: VitalSigns) -> dict[str, str]:
    """Each impossible reading, by field, with a message the nurse understands."""
    found: dict[str, str] = {}
    for name, bound in BOUNDS.items():
        value = getattr(vitals, name)
        if value is None:
            continue
        try:
            number = _number(value, name)
        except ValueError as exc:
            found[name] = str(exc)
            continue
        if not bound.low <= number <= bound.high:
            hint = " (was it typed in °F?)" if name == "temperature_c" and number > 44 else ""
            found[name] = (
                f"{bound.label} {value} {bound.unit} is not possible: enter a value between "
                f"{bound.low} and {bound.high} {bound.unit}{hint}."
            )
    sys_, dia = vitals.systolic, vitals.diastolic
    if (sys_ is None) != (dia is None):
        found.setdefault(
            "diastolic" if dia is None else "systolic",
            "Enter both numbers of the blood pressure (e.g. 120 / 80).",
        )
    elif (
        sys_ is not None
        and dia is not None
        and not found.keys() & {"systolic", "diastolic"}
        and dia >= sys_
    ):
        found["diastolic"] = (
            f"Diastolic {dia} must be lower than systolic {sys_}: were they swapped?"
        )
    return found


def check_vitals(vitals: VitalSigns) -> None:
    """Raise ValueError naming every impossible reading (or an empty set of readings)."""
    if vitals.is_empty():
        raise ValueError("Enter at least one reading.")
    found = problems(vitals)
    if found:
        raise ValueError(" ".join(found.values()))


def flag_vitals(vitals: VitalSigns) -> list[Flag]:
    """Out-of-range readings of a plausible set of vitals (see the module docstring).

    Raises ValueError when a reading is impossible (:func:`check_vitals`).
    """
    check_vitals(vitals)
    flags: list[Flag] = []
    flags.extend(_blood_pressure_flags(vitals.systolic, vitals.diastolic))
    if vitals.pulse is not None:
        flags.extend(_range_flag("pulse", "Pulse", vitals.pulse, NORMAL_PULSE, "/min"))
    if vitals.respiratory_rate is not None:
        flags.extend(
            _range_flag(
                "respiratory_rate",
                "Respiratory rate",
                vitals.respiratory_rate,
                NORMAL_RESPIRATORY_RATE,
                "/min",
            )
        )
    if vitals.temperature_c is not None:
        flags.extend(_temperature_flags(Decimal(vitals.temperature_c)))
    if vitals.spo2 is not None:
        flags.extend(_spo2_flags(vitals.spo2))
    return flags


def _range_flag(
    name: str, label: str, value: int, normal: tuple[int, int], unit: str
) -> list[Flag]:
    low, high = normal
    if value < low:
        return [Flag(name, "abnormal", f"{label} {value}{unit} is low (normal {low}-{high}).")]
    if value > high:
        return [Flag(name, "abnormal", f"{label} {value}{unit} is high (normal {low}-{high}).")]
    return []


def _blood_pressure_flags(systolic: int | None, diastolic: int | None) -> list[Flag]:
    if systolic is None or diastolic is None:
        return []
    reading = f"Blood pressure {systolic}/{diastolic}"
    if systolic > CRISIS_SYSTOLIC or diastolic > CRISIS_DIASTOLIC:
        return [
            Flag(
                "systolic",
                "critical",
                f"{reading} is in the hypertensive crisis range (above 180/120): "
                "recheck and call the provider before infusing.",
            )
        ]
    if systolic < LOW_SYSTOLIC or diastolic < LOW_DIASTOLIC:
        return [Flag("systolic", "abnormal", f"{reading} is low (below 90/60).")]
    if systolic >= STAGE2_SYSTOLIC or diastolic >= STAGE2_DIASTOLIC:
        return [Flag("systolic", "abnormal", f"{reading} is high (140/90 or above).")]
    return []


def _temperature_flags(celsius: Decimal) -> list[Flag]:
    shown = f"Temperature {celsius} °C ({c_to_f(celsius)} °F)"
    if celsius >= FEVER_C:
        return [
            Flag(
                "temperature_c",
                "critical",
                f"{shown} is a fever (38.0 °C / 100.4 °F or more): hold the infusion "
                "and ask the provider.",
            )
        ]
    low, high = NORMAL_TEMP_C
    if celsius < low:
        return [Flag("temperature_c", "abnormal", f"{shown} is below normal (36.5-37.3 °C).")]
    if celsius > high:
        return [Flag("temperature_c", "abnormal", f"{shown} is above normal (36.5-37.3 °C).")]
    return []


def _spo2_flags(spo2: int) -> list[Flag]:
    if spo2 < HYPOXEMIA_SPO2:
        return [
            Flag(
                "spo2",
                "critical",
                f"Oxygen saturation {spo2} % is below 90 %: hold and call the provider.",
            )
        ]
    if spo2 < NORMAL_SPO2_LOW:
        return [Flag("spo2", "abnormal", f"Oxygen saturation {spo2} % is low (normal 95-100 %).")]
    return []
