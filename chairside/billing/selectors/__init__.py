"""Billing reads, always scoped to one organization; ``access_*`` 404 for another's rows."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chairside.audit import reads
from chairside.billing.documents import claim_line, claim_notes
from chairside.billing.models import (
    AspPrice,
    AspPricingFile,
    AssistanceClaim,
    AssistanceClaimDocument,
    ChargeLine,
    Claim,
    ClaimExport,
    Denial,
    Encounter,
    OppsRateFile,
    PayerContract,
    PayerDrugCategory,
    Remittance,
    UnmatchedRemittance,
)
from chairside.billing.pricing import PriceBook, billing_profile
from chairside.billing.services.opps import opps_rates
from chairside.core.models import BackgroundJob
from chairside.rules.billing import claim_states as states
from chairside.rules.billing.hospital_outpatient import attending_provider as attending
from chairside.rules.billing.margins import ageing
from chairside.rules.billing.opps import estimate_total, opps_estimate

_CLAIM_RELATED = ("patient", "payer", "encounter", "encounter__location")


def claims_in(*, organization: Any, state: str | None = None) -> QuerySet[Claim]:
    claims = Claim.objects.filter(organization=organization, superseded=False).select_related(
        *_CLAIM_RELATED
    )
    return claims.filter(state=state) if state else claims


def claims_ready(*, organization: Any) -> QuerySet[Claim]:
    return claims_in(organization=organization, state=states.READY).order_by(
        "encounter__date_of_service", "control_number"
    )


def claims_rejected(*, organization: Any) -> list[Claim]:
    """Rejected claims, oldest first, each with ``rejection`` (the reason recorded)."""
    claims = list(
        claims_in(organization=organization, state=states.REJECTED)
        .prefetch_related("state_changes")
        .order_by("state_changed_at")
    )
    for claim in claims:
        reasons = [c.reason for c in claim.state_changes.all() if c.to_state == states.REJECTED]
        claim.rejection = reasons[-1] if reasons else ""  # type: ignore[attr-defined]
    return claims


def charges_to_review(*, organization: Any) -> dict[str, Any]:
    """Draft claims the check stopped, and encounters corrected after billing or unbillable."""
    drafts = claims_in(organization=organization, state=states.DRAFT).order_by(
        "encounter__date_of_service"
    )
    encounters = (
        Encounter.objects.filter(organization=organization, needs_review=True)
        .select_related("patient", "location")
        .order_by("date_of_service")
    )
    return {"drafts": drafts, "encounters": encounters}


def unmatched_remittances(
    *, organization: Any, resolved: bool = False
) -> QuerySet[UnmatchedRemittance]:
    """Claim payments of posted 835s that matched no claim able to take them."""
    return (
        UnmatchedRemittance.objects.filter(organization=organization, resolved=resolved)
        .select_related("remittance", "claim", "claim__patient")
        .order_by("created_at", "id")
    )


def access_unmatched(*, organization: Any, public_id: uuid.UUID | str) -> UnmatchedRemittance:
    return get_object_or_404(UnmatchedRemittance, organization=organization, public_id=public_id)


ADJUDICATED_STATES = (states.PAID, states.PARTIALLY_PAID, states.DENIED, states.CLOSED)


def crossovers_to_follow_up(*, organization: Any, today: dt.date) -> QuerySet[Claim]:
    """Claims Medicare crossed over whose supplemental payer has not paid (or denied)
    within the billing profile's follow-up days (default 30), oldest first."""
    days = billing_profile(organization).crossover_follow_up_days
    settled = Claim.objects.filter(
        encounter=models.OuterRef("encounter"),
        sequence=2,
        superseded=False,
        state__in=ADJUDICATED_STATES,
    )
    return (
        claims_in(organization=organization)
        .filter(
            sequence=1,
            crossed_over_on__isnull=False,
            crossed_over_on__lt=today - dt.timedelta(days=days),
            patient_responsibility__gt=0,
        )
        .exclude(models.Exists(settled))
        .order_by("crossed_over_on", "control_number")
    )


def open_denials(*, organization: Any) -> QuerySet[Denial]:
    return (
        Denial.objects.filter(organization=organization, status__in=["open", "appealed"])
        .select_related("claim", "claim__patient", "claim__payer", "item__line", "assigned_to")
        .order_by("appeal_deadline", "id")
    )


def denials_past_half_window(*, organization: Any, today: dt.date) -> list[Denial]:
    """Open denials with less than half their appeal window left (or none)."""
    return [
        d
        for d in open_denials(organization=organization).filter(status="open")
        if d.half_window <= today
    ]


def receivables(*, organization: Any, today: dt.date) -> dict[str, Any]:
    """Money expected from payers and not yet in, by age from the date of service.

    Claims waiting on the payer (submitted, accepted, appealed) count at their expected
    payment less what was paid; denied lines still being worked count at their expected
    payment.
    """
    balances: list[tuple[dt.date, Decimal]] = []
    waiting = claims_in(organization=organization).filter(state__in=states.OPEN_RECEIVABLE)
    for claim in waiting:
        due = claim.expected_payer - claim.paid
        if due > 0:
            balances.append((claim.encounter.date_of_service, due))
    for denial in open_denials(organization=organization).exclude(claim__state=states.APPEALED):
        balances.append((denial.claim.encounter.date_of_service, denial.amount))
    buckets = ageing(balances, today)
    return {"buckets": buckets, "total": sum(buckets.values(), Decimal(0)), "count": len(balances)}


def access_claim(*, organization: Any, public_id: Any) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related(*_CLAIM_RELATED, "replaces"),
        organization=organization,
        public_id=public_id,
    )


def access_encounter(*, organization: Any, public_id: Any) -> Encounter:
    return get_object_or_404(
        Encounter.objects.select_related("patient", "location"),
        organization=organization,
        public_id=public_id,
    )


def access_line(*, organization: Any, public_id: Any) -> ChargeLine:
    return get_object_or_404(
        ChargeLine.objects.select_related("encounter", "encounter__patient"),
        organization=organization,
        public_id=public_id,
    )


def access_denial(*, organization: Any, public_id: Any) -> Denial:
    return get_object_or_404(
        Denial.objects.select_related("claim", "claim__patient", "item__line"),
        organization=organization,
        public_id=public_id,
    )


def access_export(*, organization: Any, public_id: Any) -> ClaimExport:
    """An 837P file; opening it shows every patient it bills (noted for the audit row)."""
    export = get_object_or_404(ClaimExport, organization=organization, public_id=public_id)
    reads.note_patient_ids(export.claims.values_list("patient__public_id", flat=True))
    return export


def fresh_exports(*, organization: Any, public_ids: list[str]) -> list[ClaimExport]:
    """The files just made (named in the page's ``export`` parameters), of this organization."""

    valid = []
    for value in public_ids:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return list(
        ClaimExport.objects.filter(organization=organization, public_id__in=valid).order_by(
            "control_number"
        )
    )


def access_remittance(*, organization: Any, public_id: Any) -> Remittance:
    return get_object_or_404(Remittance, organization=organization, public_id=public_id)


def access_contract(*, organization: Any, public_id: Any) -> PayerContract:
    return get_object_or_404(
        PayerContract.objects.select_related("payer"),
        organization=organization,
        public_id=public_id,
    )


def claim_detail(*, claim: Claim) -> dict[str, Any]:
    """Everything the claim page shows, read in a few queries."""
    items = list(
        claim.items.select_related("line").prefetch_related("payments__adjustments", "denials")
    )
    history = list(claim.state_changes.select_related("changed_by"))
    into_state = [h for h in history if h.to_state == claim.state]
    return {
        "items": items,
        # A home infusion month's lines fall on many days: the page shows each line's date.
        "many_dates": len({i.line.date_of_service for i in items}) > 1,
        "history": history,
        # Why the claim is where it is (the rejection or denial reason), shown at the top.
        "state_reason": into_state[-1].reason if into_state else "",
        "exports": list(claim.exports.all()),
        "remits": list(claim.remits.select_related("remittance")),
        "related": list(
            Claim.objects.filter(encounter=claim.encounter)
            .exclude(pk=claim.pk)
            .select_related("payer")
        ),
        "denials": list(claim.denials.select_related("assigned_to", "item")),
        "facts": (facts := claim.encounter.encounter_facts()),
        "attending": attending_provider(facts),
        "opps": claim_opps_estimate(claim=claim, items=items) if claim.is_institutional else None,
        "check_notes": check_notes(claim=claim),
    }


def check_notes(*, claim: Claim) -> list[str]:
    """Shown with the claim check, never blocking: e.g. a first Medicare HIT visit billed as
    subsequent because of another supplier's history (``documents.claim_notes``)."""
    return claim_notes(claim)


def attending_provider(facts: Any) -> Any:

    return attending(facts)


def claim_opps_estimate(*, claim: Claim, items: list[Any] | None = None) -> dict[str, Any]:
    """How OPPS would pay the institutional claim's lines (rules.opps), from the newest
    imported Addendum B and the ASP file in effect on the date of service."""

    rates, source = opps_rates(organization=claim.organization)
    if items is None:
        items = list(claim.items.select_related("line").order_by("line_number"))
    limits = PriceBook(claim.organization).asp_limits(claim.encounter.date_of_service)
    estimates = opps_estimate([claim_line(i.line) for i in items], rates, limits)
    return {
        "source": source,
        "lines": estimates,
        "total": estimate_total(estimates),
        "unknown": sum(1 for e in estimates if e.amount is None),
    }


def patient_claims(*, organization: Any, patient: Any) -> QuerySet[Claim]:
    return (
        claims_in(organization=organization)
        .filter(patient=patient)
        .order_by("-encounter__date_of_service", "sequence")
    )


def remittances(*, organization: Any) -> QuerySet[Remittance]:
    return Remittance.objects.filter(organization=organization).order_by("-paid_on", "-id")


def asp_files(*, organization: Any) -> QuerySet[AspPricingFile]:
    return AspPricingFile.objects.filter(organization=organization)


def asp_prices(*, file: AspPricingFile | None) -> list[AspPrice] | QuerySet[AspPrice]:
    """The first 300 prices of one of ``asp_files`` by HCPCS code (none without a file)."""
    return AspPrice.objects.filter(file=file).order_by("hcpcs")[:300] if file else []


def opps_files(*, organization: Any) -> QuerySet[OppsRateFile]:
    return OppsRateFile.objects.filter(organization=organization)


def access_assistance_document(*, organization: Any, public_id: Any) -> AssistanceClaimDocument:
    """One document of the organization's assistance claims, or 404."""
    return get_object_or_404(
        AssistanceClaimDocument.objects.select_related("assistance_claim__claim__encounter"),
        assistance_claim__organization=organization,
        public_id=public_id,
    )


def recent_835_imports(*, organization: Any) -> QuerySet[BackgroundJob]:
    """The 835 imports started in the last day (the remittance page shows how they went)."""
    return BackgroundJob.objects.filter(
        organization=organization,
        kind=BackgroundJob.Kind.IMPORT_835,
        created_at__gte=timezone.now() - dt.timedelta(days=1),
    )


def contracts(*, organization: Any) -> QuerySet[PayerContract]:
    return PayerContract.objects.filter(organization=organization).select_related("payer")


def encounters_recent(*, organization: Any) -> QuerySet[Encounter]:
    return Encounter.objects.filter(organization=organization).select_related("patient")


def payer_drug_categories(*, organization: Any) -> QuerySet[PayerDrugCategory]:
    """The payers' own administration categories for drugs (Billing settings)."""
    return PayerDrugCategory.objects.filter(organization=organization).select_related(
        "payer", "drug"
    )


def administration_categories(*, organization: Any, payer_ref: str) -> dict[str, str]:
    """What ``rules.billing.payer_categories.apply_payer_categories`` needs for one payer: drug name
    -> category, under both the formulary's generic name and its key (an administration is
    named by one of them). ``payer_ref`` is the payer's ``public_id`` as text (the facts'
    ``CoverageFacts.payer_ref``); an unknown or malformed one has no categories."""
    try:
        payer_id = uuid.UUID(str(payer_ref))
    except ValueError:
        return {}
    found: dict[str, str] = {}
    rows = PayerDrugCategory.objects.filter(
        organization=organization, payer__public_id=payer_id
    ).values_list("drug__generic_name", "drug__key", "category")
    for generic_name, key, category in rows:
        found[generic_name] = category
        found[key] = category
    return found


def claims_search(*, organization: Any, state: str = "", query: str = "") -> QuerySet[Claim]:
    claims = claims_in(organization=organization, state=state or None)
    text = query.strip()
    if text:
        claims = claims.filter(
            Q(control_number__iexact=text)
            | Q(patient__last_name__istartswith=text)
            | Q(patient__mrn__iexact=text)
        )
    return claims.order_by(F("encounter__date_of_service").desc(), "control_number")


def access_assistance_claim(*, organization: Any, public_id: Any) -> AssistanceClaim:
    """One claim to a patient-assistance program, of this organization, or 404."""
    return get_object_or_404(AssistanceClaim, organization=organization, public_id=public_id)
