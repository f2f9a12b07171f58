"""Preparing and giving an infusion: concentration, beyond-use time, running time, reactions.

Sources:

* **Beyond-use time.** USP General Chapter <797> "Pharmaceutical Compounding - Sterile
  Preparations" (revision official 1 Nov 2023): an *immediate-use* CSP prepared outside a
  classified area (the usual chair-side preparation) must begin administration within
  4 hours of the start of its preparation (§1.3); a *Category 1* CSP, prepared in a
  segregated compounding area, has a beyond-use date of at most 12 hours at controlled
  room temperature or 24 hours refrigerated (§14, Table 12). A label may be stricter:
  the time is then the shorter of the two (e.g. the TYSABRI label, section 2: the diluted
  solution must be administered within 8 hours of preparation). The preparer enters the
  label's limit when the label has one; Chairside does not guess it.
* **Infusion reactions.** NCI Common Terminology Criteria for Adverse Events (CTCAE)
  v5.0 (27 Nov 2017), "Infusion related reaction": grade 1 mild transient reaction,
  interruption not indicated; grade 2 interruption indicated but responds promptly to
  symptomatic treatment; grade 3 prolonged or recurring, hospitalization indicated;
  grade 4 life-threatening, urgent intervention; grade 5 death. So grade 2 interrupts the
  infusion and alerts the provider ("interruption indicated"); grade 3 or more stops it.
  A restart after a grade 1-2 reaction records its rate: labels give the rule, e.g.
  RITUXAN §2.1 "continue the infusion at one-half the previous rate upon improvement of
  symptoms" (``restart_rate``).
* **Observation** after the infusion is the label's (the formulary keeps it per drug,
  e.g. ocrelizumab and natalizumab: at least one hour).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MG_PER_ML_STEP = Decimal("0.001")

# USP <797> (2023): immediate-use 4 h from the start of preparation; Category 1 12 h at
# controlled room temperature, 24 h refrigerated.
BEYOND_USE_HOURS: dict[str, int] = {
    "immediate_use": 4,
    "category1_room": 12,
    "category1_fridge": 24,
}
BEYOND_USE_LABELS: dict[str, str] = {
    "immediate_use": "Immediate use, prepared at the chair (USP <797>: start within 4 h)",
    "category1_room": "Category 1, room temperature (USP <797>: 12 h)",
    "category1_fridge": "Category 1, refrigerated (USP <797>: 24 h)",
}

CTCAE_GRADES: dict[int, str] = {
    1: "Grade 1 — mild transient reaction; interruption not indicated",
    2: "Grade 2 — interruption indicated; responds promptly to symptomatic treatment",
    3: "Grade 3 — prolonged or recurring; hospitalization indicated",
    4: "Grade 4 — life-threatening; urgent intervention indicated",
    5: "Grade 5 — death",
}
STOP_FROM_GRADE = 3
INTERRUPT_GRADE = 2


def _aware(moment: dt.datetime, name: str) -> None:
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        raise ValueError(f"{name} must be a time with its time zone")


def final_concentration(dose_mg: Decimal, volume_ml: Decimal) -> Decimal:
    """mg/mL of the prepared bag or syringe, to three decimals (350 mg in 250 mL → 1.4)."""
    for value, name in ((dose_mg, "dose"), (volume_ml, "final volume")):
        if isinstance(value, bool) or not isinstance(value, Decimal | int) or value <= 0:
            raise ValueError(f"the {name} must be more than 0, not {value!r}")
    return (Decimal(dose_mg) / Decimal(volume_ml)).quantize(MG_PER_ML_STEP, ROUND_HALF_UP)


def beyond_use(
    prepared_at: dt.datetime, kind: str, label_limit_hours: Decimal | None = None
) -> dt.datetime:
    """The time after which the preparation must not be started (see module docstring)."""
    _aware(prepared_at, "the preparation time")
    if kind not in BEYOND_USE_HOURS:
        raise ValueError(f"unknown preparation kind {kind!r}")
    hours = Decimal(BEYOND_USE_HOURS[kind])
    if label_limit_hours is not None:
        if label_limit_hours <= 0:
            raise ValueError("a label's time limit must be more than 0 hours")
        hours = min(hours, Decimal(label_limit_hours))
    return prepared_at + dt.timedelta(minutes=int(hours * 60))


def check_beyond_use(
    prepared_at: dt.datetime, beyond_use_at: dt.datetime, kind: str, label_limit: Decimal | None
) -> None:
    """ValueError when the beyond-use time is not after preparation or exceeds the limit."""
    _aware(beyond_use_at, "the beyond-use time")
    latest = beyond_use(prepared_at, kind, label_limit)
    if beyond_use_at <= prepared_at:
        raise ValueError("The beyond-use time must be after the preparation time.")
    if beyond_use_at > latest:
        raise ValueError(
            f"The beyond-use time may be at most {latest:%H:%M} "
            f"({BEYOND_USE_LABELS[kind].split('(')[0].strip().lower()})."
        )


def stops_infusion(grade: int) -> bool:
    """Grade 3 or more stops the infusion and alerts the supervising provider."""
    if isinstance(grade, bool) or grade not in CTCAE_GRADES:
        raise ValueError(f"a CTCAE grade is 1 to 5, not {grade!r}")
    return grade >= STOP_FROM_GRADE


def interrupts_infusion(grade: int) -> bool:
    """Grade 2 (CTCAE: "interruption indicated") interrupts the infusion and alerts the
    provider; grade 3 or more stops it (``stops_infusion``)."""
    if isinstance(grade, bool) or grade not in CTCAE_GRADES:
        raise ValueError(f"a CTCAE grade is 1 to 5, not {grade!r}")
    return grade == INTERRUPT_GRADE


def restart_rate(previous_ml_h: Decimal | None) -> Decimal | None:
    """The suggested rate to resume at after a grade 1-2 reaction: half the rate running
    when it began (RITUXAN §2.1; the nurse records the rate actually used)."""
    if previous_ml_h is None:
        return None
    return (previous_ml_h / 2).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- running time ---------------------------------------------------------------------


Span = tuple[dt.datetime, dt.datetime]


def check_running(
    start: dt.datetime,
    stop: dt.datetime | None,
    pauses: Sequence[tuple[dt.datetime, dt.datetime | None]],
) -> None:
    """ValueError when the times do not fit: stop before start, a pause outside the run,
    a pause that ends before it starts, overlapping pauses, or an open pause at the stop."""
    _aware(start, "the start time")
    if stop is not None:
        _aware(stop, "the stop time")
        if stop <= start:
            raise ValueError(
                f"The stop time {stop:%H:%M} is not after the start time {start:%H:%M}."
            )
    previous_end: dt.datetime | None = None
    for begin, end in sorted(pauses, key=lambda p: p[0]):
        if begin < start or (stop is not None and begin >= stop):
            raise ValueError(f"The interruption at {begin:%H:%M} is outside the infusion.")
        if end is not None and end <= begin:
            raise ValueError(f"The interruption at {begin:%H:%M} must end after it starts.")
        if end is None and stop is not None:
            raise ValueError(f"Record when the interruption at {begin:%H:%M} ended.")
        if end is not None and stop is not None and end > stop:
            raise ValueError(f"The interruption at {begin:%H:%M} ends after the stop time.")
        if previous_end is not None and begin < previous_end:
            raise ValueError(f"The interruption at {begin:%H:%M} overlaps another one.")
        previous_end = end


def running_spans(
    start: dt.datetime, stop: dt.datetime, pauses: Sequence[tuple[dt.datetime, dt.datetime]]
) -> list[Span]:
    """The stretches the drug actually ran: start→stop minus the interruptions."""
    check_running(start, stop, list(pauses))
    spans: list[Span] = []
    cursor = start
    for begin, end in sorted(pauses):
        if begin > cursor:
            spans.append((cursor, begin))
        cursor = max(cursor, end)
    if stop > cursor:
        spans.append((cursor, stop))
    return spans


def running_minutes(
    start: dt.datetime, stop: dt.datetime, pauses: Sequence[tuple[dt.datetime, dt.datetime]]
) -> int:
    total = sum((end - begin for begin, end in running_spans(start, stop, pauses)), dt.timedelta())
    return int(total.total_seconds() // 60)


def observation_until(last_stop: dt.datetime, minutes: int) -> dt.datetime:
    """When the label's observation after the infusion ends."""
    _aware(last_stop, "the stop time")
    if minutes < 0:
        raise ValueError("observation minutes cannot be negative")
    return last_stop + dt.timedelta(minutes=minutes)


# --- from vials opened to the dose given ------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """Vials of one kind opened for the dose: ``key`` names the lot (or package)."""

    key: str
    strength_mg: Decimal
    vials: int


def opened_mg(items: Sequence[Opened]) -> Decimal:
    return sum((i.strength_mg * i.vials for i in items), Decimal(0))


def allocate_given(
    items: Sequence[Opened], given_mg: Decimal
) -> list[tuple[str, Decimal, Decimal]]:
    """Split the dose given over the vials opened: ``(key, given mg, discarded mg)`` each.

    Vials are used in the order listed (the dispensing order), so the discarded part falls
    on the last ones opened. ValueError when more was given than was opened.
    """
    if given_mg < 0:
        raise ValueError("the dose given cannot be negative")
    total = opened_mg(items)
    if given_mg > total:
        raise ValueError(f"{given_mg} mg given is more than the {total} mg opened.")
    left = Decimal(given_mg)
    rows = []
    for item in items:
        mg = item.strength_mg * item.vials
        used = min(mg, left)
        left -= used
        rows.append((item.key, used, mg - used))
    return rows


def waste_portions(discarded_mg: Decimal, strength_mg: Decimal) -> list[Decimal]:
    """A lot's discarded milligrams as per-vial amounts (each at most one vial's strength)."""
    if strength_mg <= 0:
        raise ValueError("a vial's strength must be more than 0 mg")
    portions = []
    left = Decimal(discarded_mg)
    while left > 0:
        portions.append(min(left, strength_mg))
        left -= strength_mg
    return portions


# --- volume plausibility -------------------------------------------------------------
# Large-volume infusion pumps are specified to deliver within about ±5 % (manufacturers'
# accuracy specifications); the volume read off the pump may also include a flush of the
# line (commonly 20-25 mL of saline). A
# recorded volume further than VOLUME_TOLERANCE_PERCENT and VOLUME_FLUSH_ML from what the
# recorded rates deliver over the running time is a documentation error until the nurse
# corrects it or says why.
VOLUME_TOLERANCE_PERCENT = Decimal(15)
VOLUME_FLUSH_ML = Decimal(25)


def volume_delivered_ml(
    spans: Sequence[Span], rates: Sequence[tuple[dt.datetime, Decimal]]
) -> Decimal | None:
    """The volume the recorded rates deliver over the running spans (None: no rate set).

    Each rate holds from its time until the next rate; time before the first rate counts at
    the first rate (it is usually entered a moment after the start).
    """
    if not rates:
        return None
    steps = sorted(rates)
    total = Decimal(0)
    for i, (at, rate) in enumerate(steps):
        begin = at if i else dt.datetime.min.replace(tzinfo=at.tzinfo)
        end = steps[i + 1][0] if i + 1 < len(steps) else dt.datetime.max.replace(tzinfo=at.tzinfo)
        for span_start, span_end in spans:
            overlap = (min(end, span_end) - max(begin, span_start)).total_seconds()
            if overlap > 0:
                total += rate * Decimal(str(overlap)) / Decimal(3600)
    return total.quantize(Decimal("0.1"))


def volume_problem(recorded_ml: Decimal, delivered_ml: Decimal, minutes: int) -> str | None:
    """Why ``recorded_ml`` cannot be what ran, or None when it is plausible."""
    slack = delivered_ml * VOLUME_TOLERANCE_PERCENT / 100 + VOLUME_FLUSH_ML
    if abs(recorded_ml - delivered_ml) <= slack:
        return None
    return (
        f"{recorded_ml.normalize():f} mL in {minutes} min is not what the recorded rates "
        f"deliver (about {delivered_ml.normalize():f} mL). Correct the volume or the rates, "
        "or say why in the notes (e.g. a bolus, or the pump's total included a second bag)."
    )
