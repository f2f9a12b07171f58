"""Claims: build them from an encounter's lines, check them, move them, export them."""

from __future__ import annotations

from dataclasses import asdict, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.documents import check_input, claim_line, primary_of
from chairside.billing.models import (
    ChargeLine,
    Claim,
    ClaimItem,
    ClaimStateChange,
    Encounter,
    PayerContract,
)
from chairside.billing.pricing import PriceBook
from chairside.billing.services.patient_accounts import patient_ar_sync_self_pay
from chairside.billing.services.payers import payer_of
from chairside.core.actors import acting_user
from chairside.formulary.models import Drug
from chairside.patients.models import Payer
from chairside.patients.selectors import claim_coverages, claim_person
from chairside.rules.billing import claim_states as states
from chairside.rules.billing.charges import facts_to_dict
from chairside.rules.billing.claim_check import Problem, check_claim
from chairside.rules.billing.hospital_outpatient import PROFESSIONAL, claim_form_for_site
from chairside.rules.billing.reimbursement import expected_line
from chairside.rules.billing.x12.x12_837i import revenue_code

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def claims_build_for_encounter(*, encounter: Encounter, user: User | None) -> Claim | None:
    """Create or rebuild the encounter's primary claim from its current lines, then check it.

    No payer to bill (no coverage, or self-pay): no claim, and the encounter goes to review.
    """
    payer = payer_of(encounter, 0)
    if payer is None:
        encounter.needs_review = True
        encounter.review_note = "No insurance to bill on the visit (self-pay or no coverage)."
        encounter.save(update_fields=["needs_review", "review_note", "updated_at"])
        patient_ar_sync_self_pay(encounter=encounter, self_pay=True, user=user)
        return None
    patient_ar_sync_self_pay(encounter=encounter, self_pay=False, user=user)
    claim = (
        Claim.objects.select_for_update()
        .filter(encounter=encounter, sequence=1, superseded=False)
        .first()
    )
    form = claim_form_of(encounter)
    if claim is not None and claim.is_editable and claim.claim_form != form:
        claim.claim_form = form  # the visit moved to a site that bills on the other form
        claim.save(update_fields=["claim_form", "updated_at"])
    if claim is not None and claim.payer_id != payer.pk:
        claim.superseded = True  # the primary payer changed: this claim goes no further
        claim.save(update_fields=["superseded", "updated_at"])
        claim = None
    if claim is None:
        claim = _new_claim(encounter, payer, 1, user)
    elif claim.state == states.REJECTED:
        _move(claim, states.DRAFT, user, "Rebuilt from the corrected visit.")
    coverage = encounter.encounter_facts().coverages[0]
    claim.member_id = coverage.member_id
    lines = encounter.current_lines.order_by("position").prefetch_related("adjustments")
    _fill_items(claim, list(lines))
    claim_check(claim=claim, user=user)
    return claim


def _new_claim(encounter: Encounter, payer: Payer, sequence: int, user: User | None) -> Claim:
    for _attempt in range(5):
        number = Claim.objects.filter(organization=encounter.organization).count() + 1
        claim = Claim(
            organization=encounter.organization,
            encounter=encounter,
            patient=encounter.patient,
            payer=payer,
            sequence=sequence,
            claim_form=claim_form_of(encounter),
            control_number=f"C{number:07d}",
            state_changed_at=timezone.now(),
        )
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError:
            continue  # another biller took that number a moment ago
        audit_record(
            action=AuditEvent.Action.CREATE,
            user=user,
            organization=claim.organization,
            obj=claim,
            patient=claim.patient,
            changes={"payer": [None, str(payer)], "sequence": [None, sequence]},
        )
        return claim
    raise ValidationError("Could not number the claim; try again.")


def _fill_items(claim: Claim, lines: list[ChargeLine]) -> None:
    """Replace the claim's items with the given lines, priced and with expected payments."""
    claim.items.all().delete()
    prices = PriceBook(claim.organization)
    terms = prices.terms(claim.payer)
    limits = prices.asp_limits(claim.encounter.date_of_service)
    revenue = prices.revenue_codes if claim.is_institutional else None
    items = []
    for number, line in enumerate(lines, start=1):
        expected = None
        if terms is not None:
            expected = expected_line(
                terms,
                kind=line.kind,
                code=line.code,
                units=line.units,
                asp_limit=limits.get(line.code),
                wac=prices.wac(line.code),
            )
        items.append(
            ClaimItem(
                claim=claim,
                line=line,
                line_number=number,
                control_number=f"{claim.control_number}-{number}",
                revenue_code=_revenue_code(line, revenue),
                charge=line.adjusted_charge or Decimal(0),
                expected_allowed=expected.allowed if expected else None,
                expected_payer=expected.payer if expected else None,
                expected_patient=expected.patient if expected else None,
            )
        )
    ClaimItem.objects.bulk_create(items)
    _totals(claim, items)


def claim_form_of(encounter: Encounter) -> str:
    """The claim the visit's site makes: 837I at a hospital outpatient department, else
    837P (rules.hospital_outpatient; a visit with no location bills the professional claim)."""
    location = encounter.location
    return claim_form_for_site(location.site_type) if location is not None else PROFESSIONAL


def _revenue_code(line: ChargeLine, overrides: dict[str, str] | None) -> str:
    """The line's UB-04 revenue code on an institutional claim ("" on a professional one,
    and when no code is known: the check names it)."""
    if overrides is None:
        return ""
    try:
        return revenue_code(claim_line(line), overrides)
    except ValueError:
        return ""


def _totals(claim: Claim, items: list[ClaimItem]) -> None:
    claim.total_charge = sum((i.charge for i in items), Decimal(0))
    claim.expected_payer = sum((i.expected_payer or Decimal(0) for i in items), Decimal(0))
    claim.expected_patient = sum((i.expected_patient or Decimal(0) for i in items), Decimal(0))
    claim.save()


def claim_build_secondary(*, primary: Claim, user: User | None) -> Claim | None:
    """After the primary paid: the secondary claim for what it left to the patient.

    Not for a claim Medicare crossed over (835 CLP02 19 / MA18): Medicare already sent it
    to the supplemental payer, and a second copy from us would be a duplicate."""
    payer = payer_of(primary.encounter, primary.sequence)
    if payer is None or primary.patient_responsibility <= 0 or primary.crossed_over_on:
        return None
    if Claim.objects.filter(
        encounter=primary.encounter, sequence=primary.sequence + 1, superseded=False
    ).exists():
        return None
    claim = _secondary_claim(primary, payer, user)
    claim_check(claim=claim, user=user)
    return claim


def _secondary_claim(primary: Claim, payer: Payer, user: User | None) -> Claim:
    claim = _new_claim(primary.encounter, payer, primary.sequence + 1, user)
    coverage = primary.encounter.encounter_facts().coverages[primary.sequence]
    claim.member_id = coverage.member_id
    terms = PriceBook(claim.organization).terms(payer)
    share = terms.secondary_covers_percent if terms is not None else Decimal(100)
    items = [
        ClaimItem(
            claim=claim,
            line=item.line,
            line_number=item.line_number,
            control_number=f"{claim.control_number}-{item.line_number}",
            revenue_code=item.revenue_code,
            charge=item.charge,
            expected_allowed=item.patient_responsibility,
            expected_payer=(item.patient_responsibility * share / 100).quantize(Decimal("0.01")),
            expected_patient=item.patient_responsibility
            - (item.patient_responsibility * share / 100).quantize(Decimal("0.01")),
        )
        for item in primary.items.select_related("line").order_by("line_number")
    ]
    ClaimItem.objects.bulk_create(items)
    _totals(claim, items)
    return claim


def crossover_claim(*, primary: Claim, user: User | None) -> Claim | None:
    """The supplemental payer's claim of a Medicare crossover, to post its payment to.

    Medicare sent the claim on (no 837 from us), so it is recorded as submitted the day it
    crossed over and is never offered for sending. None when the visit has no supplemental
    coverage."""
    existing = Claim.objects.filter(
        encounter=primary.encounter, sequence=primary.sequence + 1, superseded=False
    ).first()
    if existing is not None:
        return existing
    payer = payer_of(primary.encounter, primary.sequence)
    if payer is None:
        return None
    claim = _secondary_claim(primary, payer, user)
    claim.via_crossover = True
    claim.save(update_fields=["via_crossover", "member_id", "updated_at"])
    reason = f"Crossed over by Medicare from claim {primary.control_number}; not sent by us."
    _move(claim, states.READY, user, reason)
    _move(claim, states.SUBMITTED, user, reason)
    return claim


def _authorization_required(claim: Claim) -> bool:
    """The payer requires prior authorization (its contract says so, or there is no contract)
    and a drug on the claim usually needs one (formulary)."""

    contract = PayerContract.objects.filter(
        organization=claim.organization, payer=claim.payer
    ).first()
    if contract is not None and not contract.requires_prior_authorization:
        return False
    keys = [i.line.drug_key for i in claim.items.select_related("line") if i.line.drug_key]
    return Drug.objects.filter(
        organization=claim.organization, key__in=keys, prior_auth_usually_required=True
    ).exists()


@transaction.atomic
def claim_check(*, claim: Claim, user: User | None = None) -> list[Problem]:
    """Run the pre-submission check, store its findings, and move draft ↔ ready."""
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if not locked.is_editable:
        raise ValidationError(
            f"Claim {locked.control_number} is {locked.state_label}; there is nothing to check."
        )
    encounter_refresh_from_chart(encounter=locked.encounter, user=user)
    coverages = locked.encounter.encounter_facts().coverages
    if len(coverages) >= locked.sequence:
        locked.member_id = coverages[locked.sequence - 1].member_id
    data = check_input(
        locked,
        authorization_required=_authorization_required(locked),
        today=timezone.localdate(),
    )
    problems = check_claim(data)
    locked.problems = [{"code": p.code, "message": p.message} for p in problems]
    locked.checked_at = timezone.now()
    locked.save(update_fields=["problems", "checked_at", "member_id", "updated_at"])
    if not problems and locked.state == states.DRAFT:
        _move(locked, states.READY, user, "The pre-submission check found nothing missing.")
    elif problems and locked.state == states.READY:
        _move(locked, states.DRAFT, user, f"{len(problems)} item(s) to fix.")
    claim.refresh_from_db()
    return problems


def encounter_refresh_from_chart(*, encounter: Encounter, user: User | None = None) -> list[str]:
    """Claims follow the chart: re-read the patient's demographics and, for each payer on
    the encounter, that payer's member details as the chart has them now.

    A biller who fixes an address or a member ID on the chart clears the claim check
    without an addendum to the visit. Only who is billed is refreshed (the payers and their
    order stay as on the day of service; the lines never change here). Audited with the
    fields that changed; returns them.
    """
    facts = encounter.encounter_facts()
    patient = encounter.patient
    current = {c.payer_ref: c for c in claim_coverages(patient, facts.date_of_service)}
    refreshed = replace(
        facts,
        patient=claim_person(patient),
        coverages=tuple(current.get(c.payer_ref, c) for c in facts.coverages),
    )
    if refreshed == facts:
        return []
    changed = sorted(
        {
            f"patient.{k}"
            for k, v in asdict(refreshed.patient).items()
            if asdict(facts.patient)[k] != v
        }
        | {
            f"coverage {new.payer_name}.{k}"
            for old, new in zip(facts.coverages, refreshed.coverages, strict=True)
            for k, v in asdict(new).items()
            if asdict(old)[k] != v
        }
    )
    encounter.facts = facts_to_dict(refreshed)
    encounter.save(update_fields=["facts", "updated_at"])
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=encounter.organization,
        obj=encounter,
        patient=patient,
        changes={"refreshed_from_chart": changed},
        reason="Demographics and member details re-read from the chart for the claim check.",
    )
    return changed


def _move(claim: Claim, target: str, user: User | None, reason: str = "") -> None:
    try:
        states.CLAIM.check(claim.state, target, reason)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    ClaimStateChange.objects.create(
        claim=claim,
        from_state=claim.state,
        to_state=target,
        reason=reason,
        changed_by=acting_user(user),
    )
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=claim.organization,
        obj=claim,
        patient=claim.patient,
        changes={"state": [claim.state, target]},
        reason=reason,
    )
    claim.state = target
    claim.state_changed_at = timezone.now()
    claim.save(update_fields=["state", "state_changed_at", "updated_at"])


CLOSING_NEEDS_REASON = frozenset({states.DENIED, states.PARTIALLY_PAID, states.APPEALED})


@transaction.atomic
def claim_transition(*, claim: Claim, to_state: str, user: User | None, reason: str = "") -> Claim:
    """A biller moves a claim (accepted, rejected, appealed, closed, back to draft)."""
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if to_state not in states.MANUAL_TARGETS or (locked.state, to_state) in states.REMITTANCE_MOVES:
        raise ValidationError("That state is set by the check, the export or a remittance.")
    if to_state == states.CLOSED and locked.state in CLOSING_NEEDS_REASON and not reason.strip():
        raise ValidationError("Give a reason to close a claim that was not paid in full.")
    _move(locked, to_state, user, reason.strip())
    if to_state == states.APPEALED:
        locked.denials.filter(status="open").update(status="appealed")
    return locked


CORRECTABLE = frozenset(
    {
        states.SUBMITTED,
        states.ACCEPTED,
        states.PAID,
        states.PARTIALLY_PAID,
        states.DENIED,
        states.APPEALED,
        states.CLOSED,
    }
)


def _correctable(claim: Claim, kind: str) -> Claim:
    locked = Claim.objects.select_for_update().select_related("encounter").get(pk=claim.pk)
    if locked.superseded or locked.state not in CORRECTABLE or locked.via_crossover:
        raise ValidationError(
            f"Claim {locked.control_number} is {locked.state_label}"
            f"{' and already corrected' if locked.superseded else ''}: only a claim the payer "
            f"received can be {kind}; fix a claim not sent yet and run the check again."
        )
    if not locked.payer_claim_number.strip():
        raise ValidationError(
            f"The payer's claim number of {locked.control_number} is not recorded yet (it "
            f"comes with the 835 or the acceptance report): a claim can only be {kind} by it "
            "(837P REF*F8)."
        )
    return locked


def _corrected_claim(original: Claim, frequency: str, user: User, reason: str) -> Claim:
    original.superseded = True
    original.save(update_fields=["superseded", "updated_at"])
    claim = _new_claim(original.encounter, original.payer, original.sequence, user)
    claim.frequency_code = frequency
    claim.replaces = original
    claim.member_id = original.member_id
    claim.claim_form = original.claim_form  # a correction goes on the form it corrects
    claim.save(
        update_fields=["frequency_code", "replaces", "member_id", "claim_form", "updated_at"]
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=claim.organization,
        obj=claim,
        patient=claim.patient,
        changes={"frequency_code": [None, frequency], "replaces": [None, original.control_number]},
        reason=reason,
    )
    return claim


@transaction.atomic
def claim_replace(*, claim: Claim, user: User, reason: str = "") -> Claim:
    """Send the corrected visit as a replacement of a claim the payer has (CLM05-3 = 7 with
    REF*F8 of the payer's claim number; NUCC 1500 item 22 code 7).

    The lines are the visit's re-derived ones waiting as a correction (a code or unit count
    changed after the claim went out); they become the visit's current lines, the old claim
    is superseded, and the replacement is checked like every claim (and validated by pyx12
    when sent)."""
    original = _correctable(claim, "replaced")
    encounter = original.encounter
    corrected = list(
        encounter.lines.filter(status=ChargeLine.Status.CORRECTION).order_by("position")
    )
    if not corrected:
        raise ValidationError(
            "The visit's lines have not changed since the claim was sent: there is nothing to "
            "replace (a void takes a claim back)."
        )
    encounter.lines.filter(status=ChargeLine.Status.CURRENT).update(
        status=ChargeLine.Status.SUPERSEDED
    )
    encounter.lines.filter(status=ChargeLine.Status.CORRECTION).update(
        status=ChargeLine.Status.CURRENT
    )
    encounter.needs_review = False
    encounter.review_note = ""
    encounter.save(update_fields=["needs_review", "review_note", "updated_at"])
    replacement = _corrected_claim(original, "7", user, reason or "Corrected visit.")
    lines = encounter.current_lines.order_by("position").prefetch_related("adjustments")
    _fill_items(replacement, list(lines))
    claim_check(claim=replacement, user=user)
    replacement.refresh_from_db()
    return replacement


@transaction.atomic
def claim_void(*, claim: Claim, user: User, reason: str) -> Claim:
    """Take back a claim the payer has (CLM05-3 = 8 with REF*F8): a copy of the claim as
    sent, marked void. Needs a reason (e.g. billed to the wrong payer, visit not given)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the claim is voided."})
    original = _correctable(claim, "voided")
    void = _corrected_claim(original, "8", user, reason.strip())
    lines = [item.line for item in original.items.select_related("line").order_by("line_number")]
    _fill_items(void, lines)
    claim_check(claim=void, user=user)
    void.refresh_from_db()
    return void


@transaction.atomic
def claim_mue_override(*, claim: Claim, user: User, note: str) -> Claim:
    """Record why units above the CMS MUE are billed, so the check lets the claim go."""
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if not note.strip():
        raise ValidationError({"note": "Say why the units are medically necessary."})
    if not locked.is_editable:
        raise ValidationError(f"Claim {locked.control_number} was already sent.")
    before = locked.mue_override_note
    locked.mue_override_note = note.strip()
    locked.save(update_fields=["mue_override_note", "updated_at"])
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=locked.organization,
        obj=locked,
        patient=locked.patient,
        changes={"mue_override_note": [before, locked.mue_override_note]},
    )
    claim_check(claim=locked, user=user)
    locked.refresh_from_db()
    return locked


def secondary_ready_for(primary: Claim) -> Claim | None:
    return (
        Claim.objects.filter(encounter=primary.encounter, sequence=primary.sequence + 1)
        .exclude(superseded=True)
        .first()
    )


__all__ = [
    "claim_build_secondary",
    "crossover_claim",
    "claim_check",
    "claim_mue_override",
    "claim_replace",
    "claim_transition",
    "claim_void",
    "claims_build_for_encounter",
    "primary_of",
]
