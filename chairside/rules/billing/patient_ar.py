"""Patient accounts receivable: what patients owe, how old it is, and their payment plans.

A patient owes for a self-pay visit (no insurance to bill) and for the patient
responsibility the last payer left after adjudication (835 CAS group PR: deductible,
coinsurance, co-payment — ASC X12 835 005010X221A1, CAS01 "PR Patient Responsibility").

**Ageing** puts what a patient owes in 0–30, 31–60, 61–90, 91–120 or over 120 days. Each
charge ages from the first patient statement that billed it (a patient cannot be late on a
bill never sent), else from its date of service. Payments and write-offs are applied to
the oldest charges first (balance-forward statements, the common practice-management
convention), so what is left is the newest.

**Payment plans**: a fixed amount a month until the plan's total is paid, the first
instalment on the plan's first due date and the next ones on the same day of each following
month (the 31st falls on the month's last day). An instalment is *missed* when its due date
has passed and the payments made since the plan started do not cover every instalment due
so far.

**Card numbers** never enter the ledger (PCI DSS v4.0 requirement 3: do not store the
primary account number where it is not needed). Payment card numbers are 13 to 19 digits
(ISO/IEC 7812-1), so a reference holding such a run of digits — spaces and dashes ignored —
is refused; the reference is the terminal's authorization code or the last four digits.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")
PATIENT_AGEING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–30", 0, 30),
    ("31–60", 31, 60),
    ("61–90", 61, 90),
    ("91–120", 91, 120),
    ("over 120", 121, None),
)
_PAN = re.compile(r"\d{13,19}")


@dataclass(frozen=True)
class OpenCharge:
    """What a patient owes for one visit or claim: the net amount and the day it ages from."""

    ages_from: dt.date
    amount: Decimal


def charge_ages_from(
    *, service_date: dt.date, posted_on: dt.date, statement_dates: Iterable[dt.date]
) -> dt.date:
    """The first statement dated on or after the day the charge was posted, else the date of
    service."""
    later = [d for d in statement_dates if d >= posted_on]
    return min(later) if later else service_date


def ageing_bucket(ages_from: dt.date, today: dt.date) -> str:
    age = max(0, (today - ages_from).days)
    for name, low, high in PATIENT_AGEING_BUCKETS:
        if age >= low and (high is None or age <= high):
            return name
    raise AssertionError("the buckets cover every age")  # pragma: no cover


def patient_ageing(
    charges: Sequence[OpenCharge], credits: Decimal, today: dt.date
) -> dict[str, Decimal]:
    """What is still owed, by bucket: credits (payments, write-offs, charges reduced below
    zero) pay the oldest charges first. Every bucket is present, in order."""
    if credits < 0:
        raise ValueError("credits are a positive amount paid or written off")
    buckets = {name: Decimal(0) for name, _, _ in PATIENT_AGEING_BUCKETS}
    owed = sorted((c for c in charges if c.amount > 0), key=lambda c: c.ages_from)
    left = credits - sum((c.amount for c in charges if c.amount < 0), Decimal(0))
    for charge in owed:
        applied = min(left, charge.amount)
        left -= applied
        if charge.amount > applied:
            buckets[ageing_bucket(charge.ages_from, today)] += charge.amount - applied
    return buckets


def card_reference_problem(reference: str) -> str | None:
    """Why a payment reference may not be stored, or None: a full card number is refused."""
    if _PAN.search(re.sub(r"[\s-]", "", reference)):
        return (
            "That looks like a full card number (13–19 digits). Never record a card number: "
            "give the terminal's authorization code or the card's last four digits."
        )
    return None


def add_months(day: dt.date, months: int, *, day_of_month: int | None = None) -> dt.date:
    """The same day ``months`` later, on the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    wanted = day_of_month or day.day
    return dt.date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Instalment:
    due: dt.date
    amount: Decimal


def plan_schedule(*, total: Decimal, monthly: Decimal, first_due: dt.date) -> list[Instalment]:
    """The plan's instalments: ``monthly`` each month, the last one what remains."""
    if monthly <= 0:
        raise ValueError("the monthly amount must be more than zero")
    if total <= 0:
        raise ValueError("a plan needs a balance to pay")
    if monthly != monthly.quantize(CENT) or total != total.quantize(CENT):
        raise ValueError("amounts are in whole cents")
    schedule: list[Instalment] = []
    left = total
    while left > 0:
        amount = min(monthly, left)
        schedule.append(
            Instalment(add_months(first_due, len(schedule), day_of_month=first_due.day), amount)
        )
        left -= amount
    return schedule


@dataclass(frozen=True)
class PlanStatus:
    paid: Decimal
    remaining: Decimal
    next_due: dt.date | None
    amount_due: Decimal
    missed: bool
    missed_count: int
    instalments: int


def plan_status(
    *,
    total: Decimal,
    monthly: Decimal,
    first_due: dt.date,
    payments: Sequence[Decimal],
    today: dt.date,
) -> PlanStatus:
    """Where a plan stands today, given the payments made since it started.

    ``next_due`` is the due date of the first instalment not yet covered (None when the plan
    is paid); ``amount_due`` is what must be paid by then (arrears included); ``missed``
    says an instalment's due date has passed without the payments covering it.
    """
    schedule = plan_schedule(total=total, monthly=monthly, first_due=first_due)
    paid = sum(payments, Decimal(0))
    owed = Decimal(0)
    next_due: dt.date | None = None
    amount_due = Decimal(0)
    missed_count = 0
    for instalment in schedule:
        owed += instalment.amount
        if owed <= paid:
            continue
        if instalment.due < today:
            missed_count += 1
        elif next_due is None:
            next_due = instalment.due
            amount_due = owed - paid
    if next_due is None and missed_count:
        next_due = today
        amount_due = owed - paid
    return PlanStatus(
        paid=paid,
        remaining=max(Decimal(0), total - paid),
        next_due=next_due,
        amount_due=amount_due,
        missed=missed_count > 0,
        missed_count=missed_count,
        instalments=len(schedule),
    )


__all__ = [
    "PATIENT_AGEING_BUCKETS",
    "Instalment",
    "OpenCharge",
    "PlanStatus",
    "add_months",
    "ageing_bucket",
    "card_reference_problem",
    "charge_ages_from",
    "patient_ageing",
    "plan_schedule",
    "plan_status",
]
