"""Margin reports: each visit's expected reimbursement against what it cost to give.

Drug cost comes from the inventory ledger when the visit's dispensed lots are recorded
(``inventory.Movement.visit_ref`` is the encounter's visit key; the cost is the lot's
invoice cost per vial); otherwise it is estimated from the drug's acquisition cost per
billing unit times the units billed (given plus discarded), and the visit is marked
"estimated". Supplies and nurse time come from the billing profile.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chairside.billing.models import Claim, ClaimItem
from chairside.billing.pricing import PriceBook, billing_profile
from chairside.inventory.models import Movement
from chairside.patients.models import Payer
from chairside.rules.billing.margins import VisitMargin, nurse_cost, summarize, unviable
from chairside.rules.billing.reimbursement import Expected, secondary_share

ZERO = Decimal(0)


@dataclass(frozen=True)
class VisitRow:
    margin: VisitMargin
    claim: Claim
    estimated_cost: bool
    priced: bool


def dispensed_costs(*, organization: Any, encounters: list[Any]) -> dict[str, Decimal]:
    """Acquisition cost of the vials dispensed (less returned) for each encounter.

    A movement names its visit (``visit_ref``); a dose the pharmacy dispensed under another
    key (the demo history's dose keys) is found by the patient and the day instead.
    """
    if not encounters:
        return {}

    kinds = ["dispense", "waste", "adjust"]
    refs = {e.encounter_ref for e in encounters}
    by_ref: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for key, vials, cost in Movement.objects.filter(
        organization=organization, visit_ref__in=refs, kind__in=kinds
    ).values_list("visit_ref", "vials", "lot__cost_per_vial"):
        by_ref[key] += -vials * cost
    missing = [e for e in encounters if e.encounter_ref not in by_ref]
    if missing:
        days = [e.date_of_service for e in missing]
        by_day: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
        for patient, at, vials, cost, ref in Movement.objects.filter(
            organization=organization,
            kind__in=kinds,
            patient_id__in={e.patient_id for e in missing},
            at__date__range=(
                min(days) - dt.timedelta(days=1),
                max(days) + dt.timedelta(days=1),
            ),
        ).values_list("patient_id", "at", "vials", "lot__cost_per_vial", "visit_ref"):
            if ref not in refs:  # a movement of another encounter (NOT IN: too deep for SQLite)
                by_day[(patient, timezone.localtime(at).date())] += -vials * cost
        for e in missing:
            if (e.patient_id, e.date_of_service) in by_day:
                by_ref[e.encounter_ref] = by_day[(e.patient_id, e.date_of_service)]
    return dict(by_ref)


def visit_margins(*, organization: Any, start: dt.date, end: dt.date) -> list[VisitRow]:
    primary = Claim.objects.filter(
        organization=organization,
        sequence=1,
        superseded=False,
        encounter__date_of_service__range=(start, end),
    )
    claims = list(primary.select_related("payer", "encounter", "encounter__location"))
    # One joined query for every line (a prefetch's IN list of hundreds of ids is too deep a
    # SQL expression for SQLite).
    items: dict[int, list[ClaimItem]] = defaultdict(list)
    for item in ClaimItem.objects.filter(claim__in=primary).select_related("line"):
        items[item.claim_id].append(item)
    prices = PriceBook(organization)
    profile = billing_profile(organization)
    dispensed = dispensed_costs(organization=organization, encounters=[c.encounter for c in claims])
    facts = {claim.pk: claim.encounter.encounter_facts() for claim in claims}
    # The secondary payers of every visit in one query (not one per claim).

    refs = {f.coverages[1].payer_ref for f in facts.values() if len(f.coverages) > 1}
    payers = {
        str(p.public_id): p
        for p in Payer.objects.filter(organization=organization, public_id__in=refs)
    }
    return [
        _row(
            claim,
            items[claim.pk],
            facts[claim.pk],
            prices=prices,
            profile=profile,
            dispensed=dispensed,
            payers=payers,
        )
        for claim in claims
    ]


def _row(
    claim: Claim,
    items: list[ClaimItem],
    facts: Any,
    *,
    prices: PriceBook,
    profile: Any,
    dispensed: dict[str, Decimal],
    payers: dict[str, Any],
) -> VisitRow:
    priced = all(i.expected_payer is not None for i in items)
    primary = _expected(items)
    secondary = None
    if len(facts.coverages) > 1:
        payer = payers.get(str(facts.coverages[1].payer_ref))
        secondary = prices.terms(payer) if payer is not None else None
    second = secondary_share(primary, secondary)
    drug_items = [i for i in items if i.line.kind == "drug"]
    drug = _expected(drug_items)
    ref = claim.encounter.encounter_ref
    estimated = ref not in dispensed
    drug_cost = dispensed.get(ref, ZERO) if not estimated else _estimate(drug_items, prices)
    location = claim.encounter.location
    margin = VisitMargin(
        drug=_drug_name(drug_items),
        payer=claim.payer.name,
        payer_revenue=primary.payer + second.payer,
        patient_revenue=second.patient,
        drug_revenue=drug.payer + drug.patient,
        drug_cost=drug_cost.quantize(Decimal("0.01")),
        supplies_cost=profile.supplies_cost_per_visit,
        nurse_cost=nurse_cost(
            _chair_minutes(facts),
            profile.nurse_cost_per_hour,
            location.nurse_patient_ratio if location else 1,
        ),
    )
    return VisitRow(margin=margin, claim=claim, estimated_cost=estimated, priced=priced)


def _expected(items: list[ClaimItem]) -> Expected:
    return Expected(
        sum((i.expected_allowed or ZERO for i in items), ZERO),
        sum((i.expected_payer or ZERO for i in items), ZERO),
        sum((i.expected_patient or ZERO for i in items), ZERO),
    )


def _estimate(items: list[ClaimItem], prices: PriceBook) -> Decimal:
    total = ZERO
    for item in items:
        cost = prices.acquisition_cost(item.line.code)
        if cost is not None:
            total += cost * item.line.units
    return total


def _drug_name(items: list[ClaimItem]) -> str:
    for item in items:
        return item.line.description.replace(" (discarded)", "")
    return "No drug billed"


def _chair_minutes(facts: Any) -> int:
    if not facts.administrations:
        return 0
    start = min(a.start for a in facts.administrations)
    end = max(a.end for a in facts.administrations)
    return int((end - start).total_seconds() // 60)


FORM_LABELS = {
    "837I": "Facility (hospital outpatient, 837I)",
    "837P": "Professional (837P)",
}


def _by_form(rows: list[VisitRow]) -> list[Any]:
    """Facility and professional revenue apart: a hospital outpatient department's claims
    are paid under OPPS, the others under the physician fee schedule."""
    found = []
    for form, label in FORM_LABELS.items():
        visits = [r.margin for r in rows if r.claim.claim_form == form]
        found += summarize(visits, lambda v, label=label: (label,))  # type: ignore[misc]
    return found


def margin_report(*, organization: Any, start: dt.date, end: dt.date) -> dict[str, Any]:
    rows = visit_margins(organization=organization, start=start, end=end)
    visits = [r.margin for r in rows]
    total = sum((v.margin for v in visits), ZERO)
    return {
        "rows": rows,
        "by_drug": summarize(visits, lambda v: (v.drug,)),
        "by_payer": summarize(visits, lambda v: (v.payer,)),
        "by_pair": summarize(visits, lambda v: (v.drug, v.payer)),
        "by_form": _by_form(rows),
        "unviable": unviable(visits),
        "revenue": sum((v.revenue for v in visits), ZERO),
        "cost": sum((v.cost for v in visits), ZERO),
        "margin": total,
        "estimated": sum(1 for r in rows if r.estimated_cost),
        "unpriced": sum(1 for r in rows if not r.priced),
    }
