"""Charge capture: derive an encounter's lines from its facts, and adjust billed lines.

The visit module calls :func:`charges_derive_for_visit` when a visit is signed (and again
when a signed visit is corrected). Everything else — tests, the demo center — calls
:func:`charges_derive` with :class:`~chairside.rules.billing.charges.EncounterFacts` it built.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.models import ChargeLine, Encounter, LineAdjustment
from chairside.billing.pricing import PriceBook
from chairside.billing.selectors import administration_categories
from chairside.billing.services.claims import claims_build_for_encounter
from chairside.core.actors import acting_user
from chairside.rules.billing import claim_states
from chairside.rules.billing.charges import (
    ClaimLine,
    EncounterFacts,
    derive_claim_lines,
    facts_to_dict,
)
from chairside.rules.billing.hospital_outpatient import (
    department_modifier,
    with_department_modifier,
)
from chairside.rules.billing.payer_categories import apply_payer_categories
from chairside.tenancy.models import Organization
from chairside.treatments.services import visit_encounter_facts

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def charges_derive_for_visit(*, visit: Any, user: User | None) -> Encounter:
    """Derive (or re-derive) the charges of a signed visit.

    Needs ``chairside.treatments.services.visit_encounter_facts(visit) -> EncounterFacts``
    and the visit's ``organization``, ``patient`` and (optional) ``location``. Call it inside
    the sign-off transaction: a ValidationError means nothing was derived.
    """

    facts = visit_encounter_facts(visit)
    return charges_derive(
        organization=visit.organization,
        patient=visit.patient,
        location=getattr(visit, "location", None),
        facts=facts,
        source=Encounter.Source.VISIT,
        user=user,
    )


@transaction.atomic
def charges_derive(
    *,
    organization: Organization,
    patient: Any,
    location: Any,
    facts: EncounterFacts,
    source: str = Encounter.Source.VISIT,
    user: User | None = None,
    lines: list[ClaimLine] | None = None,
) -> Encounter:
    """Derive the claim lines of one encounter and (re)build its primary claim.

    ``lines`` are given when another rule derived them (a home infusion month,
    ``rules.billing.home_infusion_billing``); the facts then only carry who and where.

    A first derivation makes the lines and a draft claim, then runs the pre-submission
    check (a clean claim becomes ready). A corrected visit derives a new version: while no
    claim has been submitted the old lines are superseded and the claim rebuilt; once a claim
    is out, billed lines stay as they are, the new lines wait as a correction and the
    encounter goes to the review queue.
    """
    try:
        if lines is None:
            facts = _payer_categories(organization, facts)
            derived = _department_lines(location, derive_claim_lines(facts))
        else:
            derived = lines
    except ValueError as exc:
        raise ValidationError(f"The visit cannot be billed as documented: {exc}") from None
    if location is not None and location.organization_id != organization.pk:
        raise ValidationError("The visit's location belongs to another organization.")
    encounter, created = _lock_encounter(
        organization, patient, location, facts, source=source, user=user
    )
    if created:
        _store_lines(encounter, derived, ChargeLine.Status.CURRENT)
        _rebuild_claims(encounter, user)
        _audit(encounter, user, AuditEvent.Action.CREATE, derived)
        return encounter
    submitted = encounter.claims.filter(superseded=False).exclude(state__in=claim_states.EDITABLE)
    if not submitted.exists():
        encounter.lines.filter(status=ChargeLine.Status.CURRENT).update(
            status=ChargeLine.Status.SUPERSEDED
        )
        encounter.lines.filter(status=ChargeLine.Status.CORRECTION).update(
            status=ChargeLine.Status.SUPERSEDED
        )
        _store_lines(encounter, derived, ChargeLine.Status.CURRENT)
        _rebuild_claims(encounter, user)
    else:
        _store_correction(encounter, derived)
    _audit(encounter, user, AuditEvent.Action.UPDATE, derived)
    return encounter


def _department_lines(location: Any, lines: list[ClaimLine]) -> list[ClaimLine]:
    """An off-campus hospital department's lines carry PO or PN (rules.hospital_outpatient)."""
    if location is None:
        return lines
    modifier = department_modifier(location.site_type, location.off_campus_status)
    return with_department_modifier(lines, modifier)


def _payer_categories(organization: Organization, facts: EncounterFacts) -> EncounterFacts:
    """The facts with the primary payer's own drug categories (Billing settings) applied.

    The lines are derived once for the primary claim; a secondary claim carries them as the
    primary billed them (it pays what the primary left)."""

    if not facts.coverages:
        return facts
    categories = administration_categories(
        organization=organization, payer_ref=facts.coverages[0].payer_ref
    )
    return apply_payer_categories(facts, categories)


def _lock_encounter(
    organization: Organization,
    patient: Any,
    location: Any,
    facts: EncounterFacts,
    *,
    source: str,
    user: User | None,
) -> tuple[Encounter, bool]:
    existing = (
        Encounter.objects.select_for_update()
        .filter(organization=organization, encounter_ref=facts.encounter_ref)
        .first()
    )
    now = timezone.now()
    if existing is None:
        encounter = Encounter(
            organization=organization,
            encounter_ref=facts.encounter_ref,
            source=source,
            patient=patient,
            location=location,
            date_of_service=facts.date_of_service,
            facts=facts_to_dict(facts),
            derived_at=now,
            derived_by=acting_user(user),
        )
        encounter.full_clean()
        encounter.save()
        return encounter, True
    if existing.patient_id != patient.pk:
        raise ValidationError("This visit was billed for another patient; it cannot move.")
    existing.version += 1
    existing.facts = facts_to_dict(facts)
    existing.date_of_service = facts.date_of_service
    existing.location = location
    existing.derived_at = now
    existing.derived_by = acting_user(user)
    existing.save()
    return existing, False


def _store_lines(encounter: Encounter, lines: list[ClaimLine], status: str) -> list[ChargeLine]:
    prices = PriceBook(encounter.organization)
    rows = [
        ChargeLine(
            organization=encounter.organization,
            encounter=encounter,
            version=encounter.version,
            position=position,
            status=status,
            kind=line.kind,
            code=line.code,
            modifiers=" ".join(line.modifiers),
            units=line.units,
            diagnosis_pointers=",".join(str(p) for p in line.diagnosis_pointers),
            place_of_service=line.place_of_service,
            date_of_service=line.date_of_service,
            description=line.description[:160],
            drug_key=line.drug_key,
            ndc=line.ndc or "",
            ndc11=line.ndc11,
            ndc_unit=line.ndc_unit,
            ndc_quantity=line.ndc_quantity,
            charge=prices.charge(line.code, line.units),
        )
        for position, line in enumerate(lines, start=1)
    ]
    return ChargeLine.objects.bulk_create(rows)


def _signature(line: Any) -> tuple[str, str, int, str]:
    if isinstance(line, ClaimLine):
        return (line.code, " ".join(line.modifiers), line.units, line.ndc or "")
    return (line.code, line.modifiers, line.units, line.ndc)


def _store_correction(encounter: Encounter, derived: list[ClaimLine]) -> None:
    current = list(encounter.lines.filter(status=ChargeLine.Status.CURRENT))
    encounter.lines.filter(status=ChargeLine.Status.CORRECTION).update(
        status=ChargeLine.Status.SUPERSEDED
    )
    if sorted(map(_signature, current)) == sorted(map(_signature, derived)):
        encounter.needs_review = False
        encounter.review_note = ""
        encounter.save(update_fields=["needs_review", "review_note", "updated_at"])
        return
    _store_lines(encounter, derived, ChargeLine.Status.CORRECTION)
    before = ", ".join(f"{c}{'-' + m if m else ''} x{u}" for c, m, u, _ in map(_signature, current))
    after = ", ".join(f"{c}{'-' + m if m else ''} x{u}" for c, m, u, _ in map(_signature, derived))
    encounter.needs_review = True
    encounter.review_note = (
        "The visit was corrected after its claim was submitted. Billed: "
        f"{before}. Corrected visit: {after}. Send a replacement claim (frequency 7) from "
        "the claim page, or adjust each billed line that differs, with a reason, then mark "
        "the visit reviewed."
    )
    encounter.save(update_fields=["needs_review", "review_note", "updated_at"])


def _rebuild_claims(encounter: Encounter, user: User | None) -> None:

    claims_build_for_encounter(encounter=encounter, user=user)


def _audit(encounter: Encounter, user: User | None, action: str, lines: list[ClaimLine]) -> None:
    audit_record(
        action=action,
        user=user,
        organization=encounter.organization,
        obj=encounter,
        patient=encounter.patient,
        changes={
            "version": [None, encounter.version],
            "lines": [None, [f"{line.code} {line.modifier_text} x{line.units}" for line in lines]],
        },
    )


@transaction.atomic
def charge_line_adjust(
    *, line: ChargeLine, amount: Decimal, reason: str, user: User
) -> LineAdjustment:
    """Change a billed line's charge by ``amount`` (signed), with the reason why."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the line is adjusted."})
    if amount == 0:
        raise ValidationError({"amount": "An adjustment of 0.00 changes nothing."})
    locked = ChargeLine.objects.select_for_update().get(pk=line.pk)
    charge = locked.adjusted_charge
    if charge is not None and charge + amount < 0:
        raise ValidationError({"amount": f"The charge ({charge}) cannot go below 0.00."})
    adjustment = LineAdjustment(
        organization=locked.organization,
        line=locked,
        amount=amount,
        reason=reason.strip(),
        user=user,
    )
    adjustment.full_clean()
    adjustment.save()
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=locked.organization,
        obj=locked.encounter,
        patient=locked.encounter.patient,
        changes={"charge": [str(charge), str((charge or Decimal(0)) + amount)]},
        reason=reason.strip(),
    )
    return adjustment


@transaction.atomic
def encounter_mark_reviewed(*, encounter: Encounter, user: User, note: str = "") -> Encounter:
    """Take a corrected encounter off the review queue (the biller dealt with it)."""
    locked = Encounter.objects.select_for_update().get(pk=encounter.pk)
    locked.needs_review = False
    locked.review_note = ""
    locked.save(update_fields=["needs_review", "review_note", "updated_at"])
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=locked.organization,
        obj=locked,
        patient=locked.patient,
        changes={"needs_review": [True, False]},
        reason=note,
    )
    return locked
