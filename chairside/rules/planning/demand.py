"""Demand for a planned infusion center: from a population to chairs and nurses.

adult population x condition prevalence x share of those patients on an infused (or
provider-administered) drug x share the center captures = patients; patients x doses a year
= treatments; treatments x chair time = chair-hours; chair-hours / (open hours x target
utilization) = chairs; chairs / nurse ratio = nurses on the floor while open.

The prevalence defaults below are published figures for US adults, each with its source.
The other shares are the planner's assumptions: no public figure fits a given catchment, so
they are inputs, never defaults presented as facts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from chairside.rules.clinical.regimens import Regimen, doses_between

WEEKS_PER_YEAR = Decimal("52.1775")  # 365.2425 days / 7: average Gregorian year
ONE = Decimal(1)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Condition:
    """A condition treated with infusions and its published adult prevalence (a fraction)."""

    key: str
    name: str
    prevalence: Decimal
    source: str


# Fractions of US adults. Each figure is the one the cited paper reports for adults.
PUBLISHED_PREVALENCE: dict[str, Condition] = {
    c.key: c
    for c in (
        Condition(
            "ra",
            "Rheumatoid arthritis",
            Decimal("0.0054"),
            "Hunter TM et al., Prevalence of rheumatoid arthritis in the United States adult "
            "population in healthcare claims databases, 2004-2014. Rheumatol Int 2017;"
            "37(9):1551-7: age-adjusted 0.53-0.55% of adults in 2014 (0.54% used). "
            "Helmick CG et al. (CDC/NIH National Arthritis Data Workgroup), Arthritis Rheum "
            "2008;58(1):15-25 estimated 1.3 million adults (about 0.6%).",
        ),
        Condition(
            "crohns",
            "Crohn's disease",
            Decimal("0.00241"),
            "Kappelman MD et al., Recent trends in the prevalence of Crohn's disease and "
            "ulcerative colitis in a commercially insured US population. Dig Dis Sci 2013;"
            "58(2):519-25: 241 per 100,000 adults (2009).",
        ),
        Condition(
            "uc",
            "Ulcerative colitis",
            Decimal("0.00263"),
            "Kappelman MD et al., Dig Dis Sci 2013;58(2):519-25: 263 per 100,000 adults "
            "(2009). CDC (MMWR 2016;65(42):1166-9) puts all IBD at 1.3% of adults "
            "(self-reported, 2015).",
        ),
        Condition(
            "ms",
            "Multiple sclerosis",
            Decimal("0.003092"),
            "Wallin MT et al. (US MS Prevalence Workgroup, National MS Society), The "
            "prevalence of MS in the United States. Neurology 2019;92(10):e1029-40: 309.2 per "
            "100,000 adults (2010, cumulated over 10 years).",
        ),
        Condition(
            "psoriasis",
            "Psoriasis",
            Decimal("0.030"),
            "Armstrong AW et al., Psoriasis prevalence in adults in the United States. JAMA "
            "Dermatol 2021;157(8):940-6: 3.0% of adults 20 and older (NHANES 2011-2014).",
        ),
    )
}


@dataclass(frozen=True)
class DemandLine:
    """One condition treated with one drug at the center.

    Shares are fractions (0.15 = 15%). ``chair_minutes`` is the whole chair time of a visit:
    the infusion, observation and the nurse's start and discharge.
    """

    label: str
    prevalence: Decimal
    infused_share: Decimal
    capture_share: Decimal
    doses_per_year: Decimal
    chair_minutes: int


@dataclass(frozen=True)
class LineDemand:
    label: str
    patients: Decimal
    treatments_per_year: Decimal
    treatments_per_week: Decimal
    chair_hours_per_week: Decimal


@dataclass(frozen=True)
class Demand:
    lines: tuple[LineDemand, ...]
    patients: Decimal
    treatments_per_week: Decimal
    chair_hours_per_week: Decimal

    @property
    def treatments_per_month(self) -> Decimal:
        return (self.treatments_per_week * WEEKS_PER_YEAR / 12).quantize(ONE, ROUND_HALF_UP)


def project_demand(adult_population: int, lines: list[DemandLine]) -> Demand:
    """Patients, treatments a week and chair-hours a week the lines bring to the center.

    Raises ValueError for a negative population, a share outside 0-1, negative doses or a
    chair time below 1 minute.
    """
    population = _count(adult_population, "adult population")
    results: list[LineDemand] = []
    for line in lines:
        _check_line(line)
        patients = Decimal(population) * line.prevalence * line.infused_share * line.capture_share
        per_year = patients * line.doses_per_year
        per_week = per_year / WEEKS_PER_YEAR
        hours = per_week * Decimal(line.chair_minutes) / 60
        results.append(
            LineDemand(
                line.label,
                _r(patients, "0.1"),
                _r(per_year, "0.1"),
                _r(per_week, "0.1"),
                _r(hours, "0.1"),
            )
        )
    return Demand(
        lines=tuple(results),
        patients=sum((r.patients for r in results), Decimal(0)),
        treatments_per_week=sum((r.treatments_per_week for r in results), Decimal(0)),
        chair_hours_per_week=sum((r.chair_hours_per_week for r in results), Decimal(0)),
    )


@dataclass(frozen=True)
class CapacityNeed:
    chairs: int
    nurses_on_floor: int
    nurse_ftes: Decimal
    open_hours_per_week: Decimal


def capacity_needed(
    chair_hours_per_week: Decimal,
    *,
    open_hours_per_day: Decimal,
    open_days_per_week: int,
    target_utilization: Decimal,
    nurse_ratio: int,
    fte_hours_per_week: Decimal = Decimal(40),
) -> CapacityNeed:
    """Chairs and nurses to deliver the chair-hours at the target chair utilization.

    Assumptions, stated: chairs = ceil(chair-hours / (open hours x utilization)); enough
    nurses are on the floor for every open hour to cover all chairs at the site's nurse
    ratio (ceil(chairs / ratio)); one FTE works ``fte_hours_per_week``. Breaks, leave and
    the charge nurse are not included.
    """
    demand = _non_negative(chair_hours_per_week, "chair-hours per week")
    hours = _positive(open_hours_per_day, "open hours per day")
    if hours > 24:
        raise ValueError(f"open hours per day {hours} cannot exceed 24")
    days = _count(open_days_per_week, "open days per week")
    if not 1 <= days <= 7:
        raise ValueError(f"open days per week {days} must be between 1 and 7")
    utilization = _share(target_utilization, "target utilization")
    if utilization == 0:
        raise ValueError("target utilization must be above 0%")
    if isinstance(nurse_ratio, bool) or not isinstance(nurse_ratio, int) or nurse_ratio < 1:
        raise ValueError(f"nurse ratio {nurse_ratio!r} must be a whole number of at least 1")
    fte = _positive(fte_hours_per_week, "FTE hours per week")
    open_week = hours * days
    chairs = math.ceil(Fraction(demand) / (Fraction(open_week) * Fraction(utilization)))
    nurses = math.ceil(Fraction(chairs, nurse_ratio))
    ftes = (Decimal(nurses) * open_week / fte).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return CapacityNeed(chairs, nurses, ftes, open_week)


def annual_doses(regimen: Regimen, year: int = 2) -> int:
    """Doses a patient on the regimen receives in year ``year`` of treatment (1 = first).

    Year 1 includes the loading doses; year 2 onward is the maintenance rate that a center
    with established patients sees. A fixed course gives its doses in year 1 and none later.
    """
    if isinstance(year, bool) or not isinstance(year, int) or year < 1:
        raise ValueError(f"treatment year {year!r} must be a whole number of at least 1")
    first = date(2001, 1, 1)  # any date: only offsets matter
    start = first + timedelta(days=365 * (year - 1))
    return len(doses_between(regimen, first, start, start + timedelta(days=364)))


def _check_line(line: DemandLine) -> None:
    _share(line.prevalence, f"{line.label}: prevalence")
    _share(line.infused_share, f"{line.label}: share on an infused drug")
    _share(line.capture_share, f"{line.label}: capture share")
    _non_negative(line.doses_per_year, f"{line.label}: doses per year")
    minutes = line.chair_minutes
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise ValueError(f"{line.label}: chair minutes {minutes!r} must be at least 1")


def _decimal(value: Decimal, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"{name} {value!r} must be a Decimal")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} {value} must be a finite number")
    return result


def _non_negative(value: Decimal, name: str) -> Decimal:
    result = _decimal(value, name)
    if result < 0:
        raise ValueError(f"{name} {value} must not be negative")
    return result


def _positive(value: Decimal, name: str) -> Decimal:
    result = _decimal(value, name)
    if result <= 0:
        raise ValueError(f"{name} {value} must be greater than 0")
    return result


def _share(value: Decimal, name: str) -> Decimal:
    result = _non_negative(value, name)
    if result > 1:
        raise ValueError(f"{name} {value} is a fraction and must be at most 1 (100%)")
    return result


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} {value!r} must be a whole number")
    if value < 0:
        raise ValueError(f"{name} {value} must not be negative")
    return value


def _r(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), ROUND_HALF_UP)
