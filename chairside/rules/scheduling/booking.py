"""Booking rules for the chair schedule: what may be booked where and when, and why not.

Pure functions over time spans; scheduling's services load a day (chairs, nurse shifts,
appointments, opening hours, closures) and ask these rules. Every refusal is a sentence a
coordinator can act on and names the conflict: "Chair C03 is taken 10:00–12:30 by another
patient", "Nurse J. Blake would have 5 patients at 10:30 (ratio 1:4)".

All spans are half-open, ``[start, end)``: a chair freed at 10:00 can be used at 10:00.
Times are ``datetime`` values the caller keeps in one time zone (the location's); the rules
never mix zones and never look at the clock.

Dose spacing. A dose may be booked a few days before its regimen date (``DEFAULT_GRACE_DAYS``,
3), because a centre closed on the due date moves patients a little earlier or later, but
never by more than a quarter of the gap to the previous dose, so a short loading interval
(iron sucrose on days 0, 3, 7 …) keeps almost all of its spacing. The schedule counts from
the first dose (``rules.clinical.regimens``); when the previous dose was given late, the next one
must also keep the regimen's gap from the dose actually given.

Nurse competencies. A nurse takes a patient only with the competencies the visit needs,
current on the appointment date (``competency_problem``); see the notes by the constants.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from chairside.rules.clinical.regimens import Regimen, earliest_next_dose

DEFAULT_GRACE_DAYS = 3
# Never pull a dose earlier than this share of the gap from the previous dose.
GRACE_SHARE_OF_GAP = 4


@dataclass(frozen=True)
class Span:
    """A busy stretch of a chair, nurse or patient; ``label`` says what holds it."""

    start: datetime
    end: datetime
    label: str = ""

    def __post_init__(self) -> None:
        check_span(self.start, self.end)


# --- nurse competencies ----------------------------------------------------------------------
# The skill codes and names as ``tenancy.Competency.Skill`` stores them (a scheduling test
# checks they still agree). The basis:
# - Chemotherapy and complex biologics: the ASCO/ONS Chemotherapy Administration Safety
#   Standards require that only staff with documented chemotherapy/biotherapy competency
#   administer them.
# - Basic life support: staff who give infusions keep a current AHA BLS certification, so a
#   nurse whose BLS has lapsed takes no patient at all that day.
# - Any intravenous infusion starts with a peripheral IV (or accesses a line), so it needs a
#   current peripheral IV insertion competency; an SC/IM injection does not.
PIV_INSERTION = "piv_insertion"
CHEMO_BIOLOGIC = "chemo_biologic"
BLS = "bls"
COMPETENCY_NAMES: Mapping[str, str] = {
    PIV_INSERTION: "Peripheral IV insertion",
    CHEMO_BIOLOGIC: "Chemotherapy / biologic administration",
    BLS: "Basic life support (BLS)",
}
# The formulary's administration categories (``formulary.Drug.AdminCategory``).
CHEMO_CATEGORY = "chemo"  # chemotherapy / complex biologic
INJECTION_CATEGORY = "injection"  # SC / IM
ADMIN_CATEGORIES = frozenset({CHEMO_CATEGORY, "therapeutic", "hydration", INJECTION_CATEGORY})


@dataclass(frozen=True)
class Competence:
    """A competency a nurse holds: its skill code and the last day it is valid (None: none)."""

    skill: str
    expires_on: date | None = None


@dataclass(frozen=True)
class NurseDay:
    """One nurse's day at a location: her shifts, the patients she has, her ratio, skills."""

    key: str
    name: str
    shifts: tuple[Span, ...]
    patients: tuple[Span, ...]
    max_patients: int
    competencies: tuple[Competence, ...] = ()


@dataclass(frozen=True)
class Slot:
    """A start that satisfies the time rules: which chair, and which nurse (if any)."""

    start: datetime
    end: datetime
    chair: str
    nurse: str | None


@dataclass(frozen=True)
class DayRules:
    """Everything about one day that a booking's time and place must respect."""

    location: str
    opens: datetime | None  # None: the location is closed that weekday
    closes: datetime | None
    closure: str = ""  # the reason the centre is closed that date, e.g. "Thanksgiving Day"
    chairs: Mapping[str, Sequence[Span]] = field(default_factory=dict)
    nurses: Sequence[NurseDay] = ()


def check_span(start: datetime, end: datetime) -> None:
    """Raise ValueError unless ``end`` is after ``start``."""
    if end <= start:
        raise ValueError(f"a span must end after it starts ({clock(start)}–{clock(end)})")


def overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    """Whether two half-open spans share a moment (touching ends do not overlap)."""
    return start < other_end and other_start < end


def clashes(start: datetime, end: datetime, taken: Iterable[Span]) -> list[Span]:
    """The spans of ``taken`` that overlap ``[start, end)``, earliest first."""
    check_span(start, end)
    return sorted((s for s in taken if overlaps(start, end, s.start, s.end)), key=_by_start)


def _by_start(span: Span) -> datetime:
    return span.start


def peak_with(start: datetime, end: datetime, others: Iterable[Span]) -> tuple[int, datetime]:
    """Most spans at one moment of ``[start, end)`` counting a new one there, and when.

    ``(1, start)`` when nothing else overlaps; on a tie the earliest moment is reported.
    """
    check_span(start, end)
    events: list[tuple[datetime, int]] = [(start, 1)]
    for span in others:
        if overlaps(start, end, span.start, span.end):
            events.append((max(span.start, start), 1))
            events.append((span.end, -1))
    # Ends sort before starts at the same moment: touching is not overlapping.
    events.sort(key=lambda e: (e[0], e[1]))
    best, when, current = 0, start, 0
    for moment, delta in events:
        current += delta
        if current > best:
            best, when = current, moment
    return best, when


def clock(moment: datetime) -> str:
    """``10:30`` — how a schedule writes a time."""
    return f"{moment:%H:%M}"


def us_date(day: date) -> str:
    """``11/26/2026`` — how a US schedule writes a date."""
    return f"{day:%m/%d/%Y}"


def span_text(start: datetime, end: datetime) -> str:
    return f"{clock(start)}–{clock(end)}"


# --- the rules, each returning the refusal or None ------------------------------------------


def hours_problem(day: DayRules, start: datetime, end: datetime) -> str | None:
    """Closed that date or weekday, or the appointment runs outside the opening hours."""
    check_span(start, end)
    if day.closure:
        return f"{day.location} is closed on {day.closure}, {us_date(start.date())}"
    if day.opens is None or day.closes is None:
        return f"{day.location} is closed on {start:%A}s"
    if start < day.opens or end > day.closes:
        return (
            f"{day.location} is open {span_text(day.opens, day.closes)} on {start:%A}s; "
            f"this appointment would run {span_text(start, end)}"
        )
    return None


def chair_problem(chair: str, start: datetime, end: datetime, taken: Iterable[Span]) -> str | None:
    """The chair is already taken for part of the time."""
    hit = clashes(start, end, taken)
    if not hit:
        return None
    first = hit[0]
    holder = first.label or "another patient"
    return f"Chair {chair} is taken {span_text(first.start, first.end)} by {holder}"


def patient_problem(
    patient: str, start: datetime, end: datetime, theirs: Iterable[Span]
) -> str | None:
    """The patient is already booked (anywhere) for part of the time."""
    hit = clashes(start, end, theirs)
    if not hit:
        return None
    first = hit[0]
    what = f" ({first.label})" if first.label else ""
    return f"{patient} is already booked {span_text(first.start, first.end)}{what}"


def shift_problem(nurse: NurseDay, start: datetime, end: datetime) -> str | None:
    """The appointment does not fit wholly inside one of the nurse's shifts."""
    check_span(start, end)
    if any(s.start <= start and end <= s.end for s in nurse.shifts):
        return None
    if not nurse.shifts:
        return f"{nurse.name} has no shift here on {us_date(start.date())}"
    shifts = ", ".join(span_text(s.start, s.end) for s in nurse.shifts)
    return f"{nurse.name}'s shift is {shifts}; this appointment would run {span_text(start, end)}"


def ratio_problem(nurse: NurseDay, start: datetime, end: datetime) -> str | None:
    """Adding this patient would give the nurse more patients at once than her ratio."""
    count, when = peak_with(start, end, nurse.patients)
    if count <= nurse.max_patients:
        return None
    return (
        f"Nurse {nurse.name} would have {count} patients at {clock(when)} "
        f"(ratio 1:{nurse.max_patients})"
    )


def is_intravenous(category: str, routes: Iterable[str]) -> bool:
    """Whether a drug of the formulary ``category`` and ``routes`` is given as an IV infusion."""
    return category != INJECTION_CATEGORY and any(r.strip().upper() == "IV" for r in routes)


def required_competencies(category: str, *, intravenous: bool) -> tuple[str, ...]:
    """The skill codes a nurse needs for a visit: BLS always, chemo/biologic, peripheral IV."""
    if category not in ADMIN_CATEGORIES:
        raise ValueError(f"unknown administration category {category!r}")
    needs = [BLS]
    if category == CHEMO_CATEGORY:
        needs.append(CHEMO_BIOLOGIC)
    if intravenous:
        needs.append(PIV_INSERTION)
    return tuple(needs)


def is_current(competence: Competence, on_date: date) -> bool:
    """Valid through its expiry date: it lapses the day after (as licences do here)."""
    return competence.expires_on is None or on_date <= competence.expires_on


def competency_problem(
    name: str, held: Iterable[Competence], needs: Iterable[str], on_date: date
) -> str | None:
    """Which needed competencies the nurse lacks on ``on_date``, or None.

    ``Maria Santos: Chemotherapy / biologic administration expired 12/12/2026``; a skill
    with no record reads "no … on record". With several records of one skill, the latest
    expiry counts.
    """
    latest: dict[str, Competence] = {}
    for competence in held:
        known = latest.get(competence.skill)
        if known is None or _lasts(competence) > _lasts(known):
            latest[competence.skill] = competence
    missing = []
    for skill in needs:
        label = COMPETENCY_NAMES.get(skill, skill)
        record = latest.get(skill)
        if record is None:
            missing.append(f"no {label} on record")
        elif record.expires_on is not None and not is_current(record, on_date):
            missing.append(f"{label} expired {us_date(record.expires_on)}")
    return f"{name}: " + "; ".join(missing) if missing else None


def _lasts(competence: Competence) -> date:
    return competence.expires_on or date.max


def nurse_problem(
    nurse: NurseDay, start: datetime, end: datetime, needs: Sequence[str] | None = None
) -> str | None:
    """Shift, ratio and, when ``needs`` is given, the competencies on the start's date."""
    return (
        shift_problem(nurse, start, end)
        or ratio_problem(nurse, start, end)
        or (
            None
            if needs is None
            else competency_problem(nurse.name, nurse.competencies, needs, start.date())
        )
    )


def pick_nurse(
    nurses: Sequence[NurseDay],
    start: datetime,
    end: datetime,
    needs: Sequence[str] | None = None,
) -> NurseDay | None:
    """The nurse on shift who can take the patient with the fewest patients at the start.

    With ``needs`` (``required_competencies``), only a nurse who holds them all, current
    that day. Ties go to the nurse listed first; None when nobody on shift can take her.
    """
    best: tuple[int, int, NurseDay] | None = None
    for index, nurse in enumerate(nurses):
        if nurse_problem(nurse, start, end, needs) is not None:
            continue
        load = sum(1 for p in nurse.patients if p.start <= start < p.end)
        if best is None or (load, index) < best[:2]:
            best = (load, index, nurse)
    return None if best is None else best[2]


def free_starts(
    day: DayRules,
    duration: timedelta,
    step: timedelta,
    *,
    patient_busy: Sequence[Span] = (),
    not_before: datetime | None = None,
    needs: Sequence[str] | None = None,
) -> Iterator[Slot]:
    """Every start on the ``step`` grid, from opening, where a chair (and a nurse) are free.

    When the day has nurse shifts, a start needs a nurse who can take the patient (shift,
    ratio, and the competencies ``needs``); on a day with no shifts entered yet, starts are
    offered without a nurse.
    Chairs are tried in the order given; the patient's own bookings are avoided too.
    """
    if duration <= timedelta(0) or step <= timedelta(0):
        raise ValueError("duration and step must be positive")
    if day.closure or day.opens is None or day.closes is None:
        return
    start = day.opens
    while start + duration <= day.closes:
        end = start + duration
        if (not_before is None or start >= not_before) and not clashes(start, end, patient_busy):
            slot = _slot_at(day, start, end, needs)
            if slot is not None:
                yield slot
        start += step


def _slot_at(
    day: DayRules, start: datetime, end: datetime, needs: Sequence[str] | None
) -> Slot | None:
    chair = next((c for c, taken in day.chairs.items() if not clashes(start, end, taken)), None)
    if chair is None:
        return None
    if not day.nurses:
        return Slot(start, end, chair, None)
    nurse = pick_nurse(day.nurses, start, end, needs)
    return None if nurse is None else Slot(start, end, chair, nurse.key)


# --- dose spacing ---------------------------------------------------------------------------


def grace_for_gap(gap_days: int, grace_days: int = DEFAULT_GRACE_DAYS) -> int:
    """Days early a dose may be given: ``grace_days``, at most a quarter of the gap."""
    if grace_days < 0 or gap_days < 0:
        raise ValueError("grace and gap must not be negative")
    return min(grace_days, gap_days // GRACE_SHARE_OF_GAP)


def dose_due_on(regimen: Regimen, first_dose: date, dose_number: int) -> date:
    """The regimen date of dose ``dose_number`` (1-based); ValueError past a fixed course."""
    if dose_number < 1:
        raise ValueError(f"dose number {dose_number} must be 1 or more")
    due = earliest_next_dose(regimen, first_dose, dose_number - 1)
    if due is None:
        count = len(regimen.loading_days) or 1
        raise ValueError(f"the course has {count} doses; there is no dose {dose_number}")
    return due


def dose_not_before(
    regimen: Regimen,
    first_dose: date,
    dose_number: int,
    *,
    previous_dose_on: date | None = None,
    grace_days: int = DEFAULT_GRACE_DAYS,
) -> date:
    """The earliest date dose ``dose_number`` may be booked (see the module notes)."""
    due = dose_due_on(regimen, first_dose, dose_number)
    if dose_number == 1:
        return due - timedelta(days=grace_days)
    gap = (due - dose_due_on(regimen, first_dose, dose_number - 1)).days
    earliest = due - timedelta(days=grace_for_gap(gap, grace_days))
    if previous_dose_on is not None:
        earliest = max(
            earliest, previous_dose_on + timedelta(days=gap - grace_for_gap(gap, grace_days))
        )
    return earliest


def dose_problem(
    regimen: Regimen,
    first_dose: date,
    dose_number: int,
    on_date: date,
    *,
    previous_dose_on: date | None = None,
    grace_days: int = DEFAULT_GRACE_DAYS,
) -> str | None:
    """Too early for the regimen ("Dose 4 is not due until 12/14/2026"), or no such dose."""
    try:
        earliest = dose_not_before(
            regimen,
            first_dose,
            dose_number,
            previous_dose_on=previous_dose_on,
            grace_days=grace_days,
        )
    except ValueError as exc:
        return f"Dose {dose_number} is not in this regimen: {exc}"
    if dose_number == 1 or on_date >= earliest:
        return None
    due = dose_due_on(regimen, first_dose, dose_number)
    return f"Dose {dose_number} is not due until {us_date(max(due, earliest))}" + (
        f" (earliest {us_date(earliest)})" if earliest < due else ""
    )


def nearest_weekday(due: date, weekday: int, grace: int) -> date:
    """The date with ``weekday`` (Monday 0) in the week that starts ``grace`` days before due.

    A series booked "on Tuesdays" moves each regimen date to the Tuesday no more than the
    allowed grace before it, or else the first one after it.
    """
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday {weekday} must be 0 (Monday) to 6 (Sunday)")
    first = due - timedelta(days=grace)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


# --- the day as a whole ---------------------------------------------------------------------


def occupancy(spans: Sequence[Span], start: datetime, end: datetime, step: timedelta) -> list[int]:
    """Patients in chairs at each ``step`` from ``start`` (exclusive of ``end``)."""
    if step <= timedelta(0):
        raise ValueError("step must be positive")
    counts = []
    moment = start
    while moment < end:
        counts.append(sum(1 for s in spans if s.start <= moment < s.end))
        moment += step
    return counts


def utilization(spans: Sequence[Span], chairs: int, opens: datetime, closes: datetime) -> float:
    """Share of chair time in the opening hours that is booked (0 to 1)."""
    if chairs <= 0 or closes <= opens:
        return 0.0
    used = sum(
        (min(s.end, closes) - max(s.start, opens)).total_seconds()
        for s in spans
        if overlaps(s.start, s.end, opens, closes)
    )
    return used / (chairs * (closes - opens).total_seconds())
