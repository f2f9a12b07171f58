"""Claims to a patient-assistance program for the patient's share of an insurer's claim.

The program pays only what ``rules.access.assistance`` allows: never a copay program for a patient
of a federal program, never more than the patient's share on the insurer's claim, never more
than what is left of the enrolment's annual maximum. The insurer's EOB goes with the claim
(programs ask for it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum

from chairside.access.authorizations.models import AssistanceEnrollment
from chairside.access.authorizations.services import enrollment_remaining
from chairside.access.referrals.services.documents import store_document
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.models import AssistanceClaim, AssistanceClaimDocument, Claim
from chairside.core.actors import acting_user
from chairside.rules.access.assistance import program_pays

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _attach(
    assistance_claim: AssistanceClaim, upload: UploadedFile[Any] | None, user: User
) -> None:
    if upload is None:
        return
    document = AssistanceClaimDocument(
        assistance_claim=assistance_claim,
        kind="payer",
        uploaded_by=acting_user(user),
    )
    store_document(document, upload, title=upload.name or "EOB")


def claim_share_open(claim: Claim) -> Decimal:
    """The patient's share on the claim not yet sent to (or paid by) a program."""
    sent = claim.assistance_claims.exclude(status=AssistanceClaim.Status.DENIED).aggregate(
        s=Sum("amount_requested")
    )["s"]
    return max(claim.patient_responsibility - Decimal(sent or 0), Decimal(0))


@transaction.atomic
def assistance_claim_submit(
    *,
    claim: Claim,
    enrollment: AssistanceEnrollment,
    amount: Decimal,
    user: User,
    submitted_on: dt.date,
    eob: UploadedFile[Any] | None = None,
) -> AssistanceClaim:
    """Send the patient's share (or part of it) of ``claim`` to the enrolment's program."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if enrollment.organization_id != claim.organization_id:
        raise ValidationError({"enrollment": "Choose one of this patient's enrolments."})
    if enrollment.patient_id != claim.encounter.patient_id:
        raise ValidationError({"enrollment": "The enrolment is another patient's."})
    day = claim.encounter.date_of_service
    if not enrollment.is_active_on(day):
        raise ValidationError(
            {"enrollment": f"The enrolment was not active on the date of service ({day:%m/%d/%Y})."}
        )
    if amount <= 0:
        raise ValidationError({"amount": "Enter the amount to claim."})
    open_share = claim_share_open(claim)
    remaining = enrollment_remaining(enrollment, submitted_on.year)
    share = program_pays(
        enrollment.program.kind,
        payer_kind=claim.payer.kind,
        patient_owes=open_share,
        remaining=remaining,
    )
    if share.pays <= 0:
        raise ValidationError(
            {"enrollment": share.note or "Nothing of the patient's share is left to claim."}
        )
    if amount > share.pays:
        raise ValidationError(
            {
                "amount": f"At most ${share.pays:,.2f} can be claimed: the patient's open share "
                f"is ${open_share:,.2f}"
                + (f" and ${remaining:,.2f} is left this year." if remaining is not None else ".")
            }
        )
    made = AssistanceClaim(
        organization=claim.organization,
        enrollment=enrollment,
        claim=claim,
        amount_requested=amount,
        submitted_on=submitted_on,
        submitted_by=acting_user(user),
    )
    made.full_clean()
    made.save()
    _attach(made, eob, user)
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=claim.organization,
        obj=made,
        patient=claim.encounter.patient,
        changes={
            "amount_requested": [None, str(amount)],
            "program": [None, str(enrollment.program)],
        },
    )
    return made


@transaction.atomic
def assistance_claim_decide(
    *,
    assistance_claim: AssistanceClaim,
    user: User,
    status: str,
    decided_on: dt.date,
    amount_paid: Decimal | None = None,
    reference: str = "",
    note: str = "",
    eob: UploadedFile[Any] | None = None,
) -> AssistanceClaim:
    """Record the program's answer: paid (an amount up to what was asked) or denied."""
    made = AssistanceClaim.objects.select_for_update().get(pk=assistance_claim.pk)
    if made.status != AssistanceClaim.Status.SUBMITTED:
        raise ValidationError(f"This program claim is already {made.get_status_display().lower()}.")
    if status == AssistanceClaim.Status.PAID:
        if amount_paid is None or amount_paid <= 0:
            raise ValidationError({"amount_paid": "Enter the amount the program paid."})
        if amount_paid > made.amount_requested:
            raise ValidationError(
                {"amount_paid": f"More than the ${made.amount_requested:,.2f} claimed."}
            )
        made.amount_paid = amount_paid
    elif status == AssistanceClaim.Status.DENIED:
        if not note.strip():
            raise ValidationError({"note": "Say why the program denied it."})
        made.amount_paid = Decimal(0)
    else:
        raise ValidationError({"status": "Choose paid or denied."})
    if decided_on < made.submitted_on:
        raise ValidationError({"decided_on": "The answer cannot predate the submission."})
    made.status = status
    made.decided_on = decided_on
    made.reference = reference.strip()[:60]
    made.note = note.strip()[:300]
    made.save()
    _attach(made, eob, user)
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=made.organization,
        obj=made,
        patient=made.claim.encounter.patient,
        changes={"status": ["submitted", status], "amount_paid": [None, str(made.amount_paid)]},
    )
    return made
