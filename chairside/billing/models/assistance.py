"""Claims to a patient-assistance program for the patient's share of an insurer's claim."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from chairside.access.referrals.models import DocumentBase
from chairside.billing.models.claims import Claim
from chairside.core.models import OrgScopedModel


class AssistanceClaim(OrgScopedModel):
    """The patient's share of one insurer claim, sent to the program with the insurer's EOB."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        PAID = "paid", "Paid"
        DENIED = "denied", "Denied"

    enrollment = models.ForeignKey(
        "authorizations.AssistanceEnrollment", on_delete=models.PROTECT, related_name="claims"
    )
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="assistance_claims")
    amount_requested = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    amount_paid = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_on = models.DateField()
    decided_on = models.DateField(null=True, blank=True)
    reference = models.CharField("program's reference", max_length=60, blank=True)
    note = models.CharField(max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.enrollment.program} · {self.claim.control_number}"


class AssistanceClaimDocument(DocumentBase):
    """The insurer's EOB (or the program's answer) attached to a program claim."""

    assistance_claim = models.ForeignKey(
        AssistanceClaim, on_delete=models.CASCADE, related_name="documents"
    )

    class Meta(DocumentBase.Meta):
        pass

    @property
    def organization_public_id(self) -> uuid.UUID:
        return self.assistance_claim.organization.public_id
