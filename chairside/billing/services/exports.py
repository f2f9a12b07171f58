"""Sending claims: one claim file (837P or 837I) for the chosen ready claims of one form,
validated with pyx12 before it is kept; a mixed choice is split into one file per form."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.documents import (
    billing_provider,
    claim_document,
    institutional_document,
    receiver,
    sender,
)
from chairside.billing.models import Claim, ClaimExport
from chairside.billing.pricing import billing_profile
from chairside.billing.services.claims import _move, claim_check
from chairside.core.actors import acting_user
from chairside.rules.billing import claim_states as states
from chairside.rules.billing.hospital_outpatient import CLAIM_FORMS, INSTITUTIONAL
from chairside.rules.billing.x12.x12_837i import InstitutionalInterchange, write_837i
from chairside.rules.billing.x12.x12_837p import Interchange, write_837p
from chairside.rules.billing.x12.x12_validate import validate_x12
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def claims_export_by_form(
    *, organization: Organization, claims: Sequence[Claim], user: User
) -> list[ClaimExport]:
    """Send the chosen claims, one file per claim form (a file holds 837P or 837I claims,
    never both): professional claims first. All or nothing: a file that fails leaves
    every chosen claim unsent."""
    if not claims:
        raise ValidationError("Choose at least one claim to send.")
    forms: dict[str, list[Claim]] = {}
    for claim in claims:
        forms.setdefault(claim.claim_form, []).append(claim)
    return [
        claims_export(organization=organization, claims=forms[form], user=user)
        for form in CLAIM_FORMS
        if form in forms
    ]


@transaction.atomic
def claims_export(
    *, organization: Organization, claims: Sequence[Claim], user: User | None
) -> ClaimExport:
    """Write one claim file for ``claims`` (837P, or 837I for institutional claims) and mark
    them submitted.

    The claims must be of one form; every claim must be ready and pass the check again; the
    file must pass pyx12's validation. Otherwise ValidationError lists what is wrong and
    nothing is saved.
    """
    if not claims:
        raise ValidationError("Choose at least one claim to send.")
    forms = {c.claim_form for c in claims}
    if len(forms) > 1:
        raise ValidationError(
            "Professional (837P) and institutional (837I) claims go in separate files: "
            "send them apart."
        )
    form = forms.pop()
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
    text = _write(form, profile, number, locked)
    problems = validate_x12(text)
    if problems:
        raise ValidationError(
            [f"The {form} file did not pass validation; nothing was sent."]
            + [str(p) for p in problems[:10]]
        )
    export = ClaimExport.objects.create(
        organization=organization,
        claim_form=form,
        control_number=number,
        content=text,
        claim_count=len(locked),
        total_charge=sum((c.total_charge for c in locked), Decimal(0)),
        created_by=acting_user(user),
    )
    for claim in locked:
        _submit(claim, export, user)
    return export


def _write(form: str, profile: Any, number: int, claims: list[Claim]) -> str:
    envelope = {
        "sender": sender(profile),
        "receiver": receiver(profile),
        "billing_provider": billing_provider(profile),
        "control_number": number,
        "created_at": timezone.localtime(),
        "production": profile.production,
        "reference": f"CHAIRSIDE{number}",
    }
    if form == INSTITUTIONAL:
        return write_837i(
            InstitutionalInterchange(
                claims=tuple(institutional_document(claim) for claim in claims), **envelope
            )
        )
    return write_837p(
        Interchange(claims=tuple(claim_document(claim) for claim in claims), **envelope)
    )


def _recheck(claims: list[Claim], user: User | None) -> None:
    errors: list[str] = []
    for claim in claims:
        if claim.state != states.READY:
            errors.append(f"Claim {claim.control_number} is {claim.state_label}, not ready.")
            continue
        for problem in claim_check(claim=claim, user=user):
            errors.append(f"Claim {claim.control_number}: {problem.message}")
    if errors:
        raise ValidationError(errors)


def _submit(claim: Claim, export: ClaimExport, user: User | None) -> None:
    claim.refresh_from_db()
    claim.exports.add(export)
    claim.submitted_at = timezone.now()
    claim.save(update_fields=["submitted_at", "updated_at"])
    _move(
        claim, states.SUBMITTED, user, f"Sent in {export.claim_form} file #{export.control_number}."
    )
    audit_record(
        action=AuditEvent.Action.EXPORT,
        user=user,
        organization=claim.organization,
        obj=claim,
        patient=claim.patient,
        changes={"export": [None, export.filename]},
    )


def claim_file_name(export: ClaimExport) -> str:
    """ORGANIZATION-FORM-CONTROLNUMBER.x12: unique across organizations (control numbers are
    per organization), sorted by organization, form, then number."""
    organization = slugify(export.organization.name) or f"org{export.organization_id}"
    return f"{organization}-{export.claim_form}-{export.control_number:09d}.x12"


def claim_files_write(*, organizations: Sequence[Any], outdir: Path) -> list[Path]:
    """Write each organization's stored claim files into ``outdir`` exactly as sent (the
    stored text, byte for byte), one file each; audited per file (an export of PHI)."""
    written: list[Path] = []
    for organization in organizations:
        exports = ClaimExport.objects.filter(organization=organization).select_related(
            "organization"
        )
        for export in exports.order_by("claim_form", "control_number"):
            path = outdir / claim_file_name(export)
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(export.content)
            audit_record(
                action=AuditEvent.Action.EXPORT,
                organization=organization,
                obj=export,
                changes={"written_to": [None, path.name]},
                reason="manage.py claimfiles",
            )
            written.append(path)
    return written
