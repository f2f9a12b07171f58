"""Sending claims: one 837P file for the chosen ready claims, validated before it is kept."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.documents import billing_provider, claim_document, receiver, sender
from chairside.billing.models import Claim, ClaimExport
from chairside.billing.pricing import billing_profile
from chairside.billing.services.claims import _move, claim_check
from chairside.rules import claim_states as states
from chairside.rules.x12_837p import Interchange, write_837p
from chairside.rules.x12_validate import validate_x12


@transaction.atomic
def claims_export(*, organization: Any, claims: Sequence[Claim], user: Any) -> ClaimExport:
    """Write one 837P for ``claims`` and mark them submitted.

    Every claim must be ready and pass the check again; the file must pass pyx12's
    validation. Otherwise ValidationError lists what is wrong and nothing is saved.
    """
    if not claims:
        raise ValidationError("Choose at least one claim to send.")
    locked = list(
        Claim.objects.select_for_update()
        .filter(organization=organization, pk__in=[c.pk for c in claims])
        .select_related("encounter", "payer", "patient")
        .order_by("control_number")
    )
    if len(locked) != len({c.pk for c in claims}):
        raise ValidationError("A chosen claim belongs to another organization.")
    _recheck(locked, user)
    profile = billing_profile(organization)
    number = (
        ClaimExport.objects.filter(organization=organization).aggregate(n=Max("control_number"))[
            "n"
        ]
        or 0
    ) + 1
    text = write_837p(
        Interchange(
            sender=sender(profile),
            receiver=receiver(profile),
            billing_provider=billing_provider(profile),
            control_number=number,
            created_at=timezone.localtime(),
            claims=tuple(claim_document(claim) for claim in locked),
            production=profile.production,
            reference=f"CHAIRSIDE{number}",
        )
    )
    problems = validate_x12(text)
    if problems:
        raise ValidationError(
            ["The 837P file did not pass validation; nothing was sent."]
            + [str(p) for p in problems[:10]]
        )
    export = ClaimExport.objects.create(
        organization=organization,
        control_number=number,
        content=text,
        claim_count=len(locked),
        total_charge=sum((c.total_charge for c in locked), Decimal(0)),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    for claim in locked:
        _submit(claim, export, user)
    return export


def _recheck(claims: list[Claim], user: Any) -> None:
    errors: list[str] = []
    for claim in claims:
        if claim.state != states.READY:
            errors.append(f"Claim {claim.control_number} is {claim.state_label}, not ready.")
            continue
        for problem in claim_check(claim=claim, user=user):
            errors.append(f"Claim {claim.control_number}: {problem.message}")
    if errors:
        raise ValidationError(errors)


def _submit(claim: Claim, export: ClaimExport, user: Any) -> None:
    claim.refresh_from_db()
    claim.exports.add(export)
    claim.submitted_at = timezone.now()
    claim.save(update_fields=["submitted_at", "updated_at"])
    _move(claim, states.SUBMITTED, user, f"Sent in 837P file #{export.control_number}.")
    audit_record(
        action=AuditEvent.Action.EXPORT,
        user=user,
        organization=claim.organization,
        obj=claim,
        patient=claim.patient,
        changes={"export": [None, export.filename]},
    )
