"""The economics of a treatment: expected reimbursement against what it cost to give.

For each visit: revenue = what the payers are expected to pay + what the patient owes;
cost = drug acquisition cost (the lots dispensed for the visit, at their invoice cost per
vial) + supplies + nurse time (the nurse's loaded hourly cost for the chair time, shared by
the patients she looks after at once: the site's nurse-to-patient ratio). Margin is
revenue − cost. Reports add visits up by drug, by payer and by drug × payer, exactly to the
cent (every visit's amounts are already in cents; sums of Decimals are exact).

A drug is flagged economically unviable for a payer when what that payer's contract pays
for the drug lines does not cover their acquisition cost (drug revenue < drug cost over
the period): every dose loses money before the chair, the nurse and the supplies.

Accounts receivable ageing puts each open balance in 0–30, 31–60, 61–90 or over 90 days
from its date of service, the convention of practice-management AR reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
AGEING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–30", 0, 30),
    ("31–60", 31, 60),
    ("61–90", 61, 90),
    ("90+", 91, None),
)


@dataclass(frozen=True)
class VisitMargin:
    """One visit's money, every amount in cents."""

    drug: str
    payer: str
    payer_revenue: Decimal
    patient_revenue: Decimal
    drug_revenue: Decimal
    drug_cost: Decimal
    supplies_cost: Decimal
    nurse_cost: Decimal

    @property
    def revenue(self) -> Decimal:
        return self.payer_revenue + self.patient_revenue

    @property
    def cost(self) -> Decimal:
        return self.drug_cost + self.supplies_cost + self.nurse_cost

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost


@dataclass(frozen=True)
class MarginSummary:
    key: tuple[str, ...]
    visits: int
    payer_revenue: Decimal
    patient_revenue: Decimal
    drug_revenue: Decimal
    drug_cost: Decimal
    other_cost: Decimal

    @property
    def revenue(self) -> Decimal:
        return self.payer_revenue + self.patient_revenue

    @property
    def cost(self) -> Decimal:
        return self.drug_cost + self.other_cost

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_per_visit(self) -> Decimal:
        return (self.margin / self.visits).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def drug_shortfall(self) -> Decimal:
        """How much the drug lines fall short of the drug's cost (negative: they cover it)."""
        return self.drug_cost - self.drug_revenue

    @property
    def unviable(self) -> bool:
        """The drug lines do not even pay for the drug."""
        return self.drug_revenue < self.drug_cost


def nurse_cost(minutes: int, hourly_cost: Decimal, patients_per_nurse: int) -> Decimal:
    """The nurse time of one chair visit: hourly cost × hours ÷ patients she looks after."""
    if minutes < 0:
        raise ValueError(f"minutes {minutes} must not be negative")
    if patients_per_nurse < 1:
        raise ValueError("a nurse looks after at least one patient")
    if hourly_cost < 0:
        raise ValueError("the nurse's hourly cost must not be negative")
    cost = hourly_cost * Decimal(minutes) / Decimal(60) / Decimal(patients_per_nurse)
    return cost.quantize(CENT, rounding=ROUND_HALF_UP)


def summarize(
    visits: Iterable[VisitMargin], key: Callable[[VisitMargin], tuple[str, ...]]
) -> list[MarginSummary]:
    """Visits added up by ``key`` (e.g. ``lambda v: (v.drug, v.payer)``), worst margin first."""
    groups: dict[tuple[str, ...], list[VisitMargin]] = {}
    for visit in visits:
        groups.setdefault(key(visit), []).append(visit)
    summaries = [
        MarginSummary(
            key=group_key,
            visits=len(items),
            payer_revenue=_total(v.payer_revenue for v in items),
            patient_revenue=_total(v.patient_revenue for v in items),
            drug_revenue=_total(v.drug_revenue for v in items),
            drug_cost=_total(v.drug_cost for v in items),
            other_cost=_total(v.supplies_cost + v.nurse_cost for v in items),
        )
        for group_key, items in groups.items()
    ]
    return sorted(summaries, key=lambda s: (s.margin, s.key))


def unviable(visits: Iterable[VisitMargin]) -> list[MarginSummary]:
    """Drug × payer pairs whose drug reimbursement does not cover the drug's cost."""
    return [s for s in summarize(visits, lambda v: (v.drug, v.payer)) if s.unviable]


def ageing(balances: Iterable[tuple[dt.date, Decimal]], today: dt.date) -> dict[str, Decimal]:
    """Open balances by age in days from the date of service: every bucket, in order."""
    buckets = {name: Decimal(0) for name, _, _ in AGEING_BUCKETS}
    for day, amount in balances:
        buckets[ageing_bucket(day, today)] += amount
    return buckets


def ageing_bucket(day: dt.date, today: dt.date) -> str:
    age = max(0, (today - day).days)
    for name, low, high in AGEING_BUCKETS:
        if age >= low and (high is None or age <= high):
            return name
    raise AssertionError("the buckets cover every age")  # pragma: no cover


def _total(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


__all__ = [
    "AGEING_BUCKETS",
    "MarginSummary",
    "VisitMargin",
    "ageing",
    "ageing_bucket",
    "nurse_cost",
    "summarize",
    "unviable",
]
