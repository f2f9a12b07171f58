"""Reconciliation for any period: opening + received − dispensed − … = closing, per drug."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from chairside.formulary.models import Drug
from chairside.inventory.models import Movement
from chairside.rules.inventory.reconciliation import Kind, Reconciliation, reconcile


@dataclass
class DrugReconciliation:
    drug: Any
    check: Reconciliation
    partial_waste_mg: Decimal = Decimal(0)
    dispenses: list[Movement] = field(default_factory=list)

    def total(self, kind: str) -> int:
        return self.check.totals[Kind(kind)]

    # Vials in and out as positive numbers, the way the report reads; adjusted keeps its sign.
    @property
    def received(self) -> int:
        return self.total(Kind.RECEIVE)

    @property
    def transfer_in(self) -> int:
        return self.total(Kind.TRANSFER_IN)

    @property
    def dispensed(self) -> int:
        return -self.total(Kind.DISPENSE)

    @property
    def wasted(self) -> int:
        return -self.total(Kind.WASTE)

    @property
    def returned(self) -> int:
        return -self.total(Kind.RETURN)

    @property
    def transfer_out(self) -> int:
        return -self.total(Kind.TRANSFER_OUT)

    @property
    def expired(self) -> int:
        return -self.total(Kind.EXPIRE)

    @property
    def adjusted(self) -> int:
        return self.total(Kind.ADJUST)

    @property
    def off_by(self) -> int:
        return self.check.closing - self.check.expected_closing


def _bounds(start: dt.date, end: dt.date, tz: Any) -> tuple[dt.datetime, dt.datetime]:
    """The period's first and last day, whole days in the site's (or the server's) zone."""
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return begin, finish


def reconciliation(
    *, organization: Any, start: dt.date, end: dt.date, location: Any = None
) -> list[DrugReconciliation]:
    """Per drug (vials): opening, each kind of movement in [start, end], closing.

    Every dispensed vial is listed with its patient, lot and visit. Partial-vial waste is
    shown in mg (it changes no vial count). ``balanced`` is checked against the ledger.
    """
    if end < start:
        raise ValueError("The period ends before it starts.")
    tz = location.tz if location is not None else timezone.get_current_timezone()
    begin, finish = _bounds(start, end, tz)
    moves = Movement.objects.filter(organization=organization)
    if location is not None:
        moves = moves.filter(lot__storage_place__location=location)
    opening = _by_drug(moves.filter(at__lt=begin))
    closing = _by_drug(moves.filter(at__lt=finish))
    period = moves.filter(at__gte=begin, at__lt=finish).select_related(
        "lot__package__drug", "lot__storage_place", "patient"
    )
    kinds: dict[Any, list[tuple[str, int]]] = defaultdict(list)
    waste: dict[Any, Decimal] = defaultdict(Decimal)
    dispensed: dict[Any, list[Movement]] = defaultdict(list)
    for move in period:
        drug = move.lot.package.drug
        kinds[drug].append((move.kind, move.vials))
        if move.kind == Kind.WASTE and move.vials == 0:
            waste[drug] += move.mg or Decimal(0)
        if move.kind == Kind.DISPENSE:
            dispensed[drug].append(move)
    drugs = set(opening) | set(closing) | set(kinds)
    rows = [
        DrugReconciliation(
            drug=drug,
            check=reconcile(opening.get(drug, 0), kinds.get(drug, []), closing.get(drug, 0)),
            partial_waste_mg=waste.get(drug, Decimal(0)),
            dispenses=dispensed.get(drug, []),
        )
        for drug in drugs
    ]
    return sorted(rows, key=lambda r: r.drug.generic_name)


def _by_drug(moves: Any) -> dict[Any, int]:
    totals = moves.values("lot__package__drug").annotate(vials=Sum("vials"))
    drugs = Drug.objects.in_bulk([row["lot__package__drug"] for row in totals])
    return {drugs[row["lot__package__drug"]]: int(row["vials"] or 0) for row in totals}
