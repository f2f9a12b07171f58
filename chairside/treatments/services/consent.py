"""Informed consent: the patient (or their representative) signs for one drug, yearly."""

from __future__ import annotations

import base64
import binascii
import io
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from chairside.access.referrals.models import TreatmentOrder
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.core.actors import acting_user
from chairside.formulary.models import Drug
from chairside.patients.models import Patient
from chairside.rules.clinical.visit_checks import consent_expires_on
from chairside.tenancy.models import StaffMember
from chairside.treatments.models import Consent

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PNG_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 300_000
MIN_STROKE_PIXELS = 12  # a drawn signature spans at least this many pixels one way


def check_signature(data_url: str) -> str:
    """The drawn signature as a PNG data URL; ValidationError when blank or not a PNG."""
    if not data_url or not data_url.startswith(PNG_PREFIX):
        raise ValidationError({"signature": "Ask the signer to sign in the box."})
    try:
        raw = base64.b64decode(data_url[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            {"signature": "The signature did not arrive intact; sign again."}
        ) from None
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise ValidationError({"signature": "The signature image is too large; sign again."})
    try:
        image = Image.open(io.BytesIO(raw))
        image.load()
    except (UnidentifiedImageError, OSError):
        raise ValidationError({"signature": "The signature is not an image; sign again."}) from None
    box = image.convert("RGBA").getchannel("A").getbbox()
    if box is None or max(box[2] - box[0], box[3] - box[1]) < MIN_STROKE_PIXELS:
        raise ValidationError({"signature": "The signature box is empty: ask the signer to sign."})
    return data_url


@transaction.atomic
def consent_record(
    *,
    patient: Patient,
    drug: Drug,
    user: User,
    signer_name: str,
    signature: str,
    relationship: str = Consent.Relationship.SELF,
    order: TreatmentOrder | None = None,
    risks_discussed: str = "",
    explained_by: StaffMember | None = None,
) -> Consent:
    """Record a signed consent to ``drug``: typed name plus drawn signature, valid one year.

    A representative (parent, guardian, proxy) signs in their own name. Consent is per
    drug: a different drug (a biosimilar switch included) needs a new one.
    """
    for name, row in {"drug": drug, "order": order, "explained_by": explained_by}.items():
        if row is not None and row.organization_id != patient.organization_id:
            raise ValidationError({name: "Choose one of your organization's own records."})
    if not signer_name.strip():
        raise ValidationError({"signer_name": "Type the signer's full name."})
    if relationship not in Consent.Relationship.values:
        raise ValidationError({"relationship": "Who is signing?"})
    now = timezone.now()
    signed_on = timezone.localdate(now)
    consent = Consent(
        organization=patient.organization,
        patient=patient,
        drug=drug,
        order=order,
        signer_name=signer_name.strip(),
        relationship=relationship,
        signature=check_signature(signature),
        risks_discussed=risks_discussed.strip(),
        explained_by=explained_by,
        signed_at=now,
        signed_on=signed_on,
        expires_on=consent_expires_on(signed_on),
        recorded_by=acting_user(user),
    )
    consent.full_clean()
    consent.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=patient.organization,
        obj=consent,
        patient=patient,
        changes={
            "drug": [None, str(drug)],
            "signer_name": [None, consent.signer_name],
            "relationship": [None, consent.relationship],
            "expires_on": [None, consent.expires_on.isoformat()],
        },
    )
    return consent


@transaction.atomic
def consent_revoke(*, consent: Consent, user: User, reason: str) -> Consent:
    """The patient withdrew consent: no further infusion of the drug until a new one."""
    if not reason.strip():
        raise ValidationError({"reason": "Say how and why consent was withdrawn."})
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=locked.organization,
        obj=locked,
        patient=locked.patient,
        changes={"revoked_at": [None, locked.revoked_at.isoformat()]},
        reason=reason.strip(),
    )
    return locked
