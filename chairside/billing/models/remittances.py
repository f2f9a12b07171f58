"""Remittances (835) as posted, line by line, and the denials queue they feed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from chairside.core.models import BaseModel, OrgScopedModel
from chairside.rules.billing import carc


class Remittance(OrgScopedModel):
    """One posted 835: the payment and the exact file."""

    payer = models.ForeignKey(
        "patients.Payer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payer_name = models.CharField(max_length=120)
    trace_number = models.CharField("check / EFT trace number", max_length=60)
    paid_on = models.DateField()
    total_paid = models.DecimalField(max_digits=12, decimal_places=2)
    payment_method = models.CharField(max_length=3, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content = models.TextField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-paid_on", "-created_at"]
        constraints = [
            # Posting the same payment twice would pay every claim twice.
            models.UniqueConstraint(
                fields=["organization", "payer_name", "trace_number"], name="uniq_remittance"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer_name} {self.trace_number} ({self.total_paid})"


class RemittanceClaim(BaseModel):
    """The payer's decision on one of our claims (CLP)."""

    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="claims")
    claim = models.ForeignKey("billing.Claim", on_delete=models.PROTECT, related_name="remits")
    status_code = models.CharField(max_length=2)
    charge = models.DecimalField(max_digits=12, decimal_places=2)
    paid = models.DecimalField(max_digits=12, decimal_places=2)
    patient_responsibility = models.DecimalField(max_digits=12, decimal_places=2)
    payer_claim_number = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["remittance", "id"]

    def __str__(self) -> str:
        return f"{self.claim} paid {self.paid}"

    @property
    def status_label(self) -> str:
        """CLP02 in words: '1' is 'Processed as primary'."""
        return carc.describe_claim_status(self.status_code)


class ItemPayment(BaseModel):
    """How the payer paid one claim line (SVC), or a claim-level share of it."""

    remittance_claim = models.ForeignKey(
        RemittanceClaim, on_delete=models.CASCADE, related_name="payments"
    )
    item = models.ForeignKey("billing.ClaimItem", on_delete=models.PROTECT, related_name="payments")
    charge = models.DecimalField(max_digits=12, decimal_places=2)
    paid = models.DecimalField(max_digits=12, decimal_places=2)
    allowed = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    units = models.PositiveIntegerField(default=0)
    remarks = models.CharField("remark codes (RARC)", max_length=120, blank=True)

    class Meta:
        ordering = ["remittance_claim", "item__line_number"]

    def __str__(self) -> str:
        return f"{self.item} paid {self.paid}"

    @property
    def remark_codes(self) -> list[tuple[str, str]]:
        """Each RARC with its meaning: [('N54', 'N54: Claim information is …')]."""
        return [(code, carc.describe_remark(code)) for code in self.remarks.split()]


class PaymentAdjustment(BaseModel):
    """One CAS adjustment: group (CO, PR, OA, PI, CR), reason (CARC), amount."""

    remittance_claim = models.ForeignKey(
        RemittanceClaim, on_delete=models.CASCADE, related_name="adjustments"
    )
    payment = models.ForeignKey(
        ItemPayment, null=True, blank=True, on_delete=models.CASCADE, related_name="adjustments"
    )
    group = models.CharField(max_length=2)
    reason = models.CharField(max_length=5)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.group}-{self.reason} {self.amount}"

    @property
    def code(self) -> str:
        return f"{self.group}-{self.reason}"

    @property
    def description(self) -> str:
        """'CO-45: Charge exceeds fee schedule…' for a tooltip beside the code."""
        return carc.describe(self.group, self.reason)


class Denial(OrgScopedModel):
    """A claim line the payer did not pay: who works it, by when, and how it ended."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        APPEALED = "appealed", "Appealed"
        RESOLVED = "resolved", "Resolved (paid or corrected)"
        WRITTEN_OFF = "written_off", "Written off"

    claim = models.ForeignKey("billing.Claim", on_delete=models.PROTECT, related_name="denials")
    item = models.ForeignKey(
        "billing.ClaimItem", null=True, blank=True, on_delete=models.PROTECT, related_name="denials"
    )
    remittance = models.ForeignKey(
        Remittance, null=True, blank=True, on_delete=models.PROTECT, related_name="denials"
    )
    reason_codes = models.CharField(max_length=120, help_text="e.g. CO-197, N54")
    reason = models.TextField()
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="The charge left unpaid."
    )
    opened_on = models.DateField()
    appeal_deadline = models.DateField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["appeal_deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(appeal_deadline__gte=models.F("opened_on")),
                name="denial_deadline_after_opened",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "appeal_deadline"], name="denial_queue"),
        ]

    def __str__(self) -> str:
        return f"Denial {self.reason_codes} on {self.claim}"

    @property
    def half_window(self) -> dt.date:
        """The day half the appeal window has gone."""
        return self.opened_on + (self.appeal_deadline - self.opened_on) / 2

    def days_left(self, today: dt.date) -> int:
        return (self.appeal_deadline - today).days

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.OPEN, self.Status.APPEALED}


class UnmatchedRemittance(OrgScopedModel):
    """A claim payment in a posted 835 that could not be posted: not one of our claims, or
    a claim that cannot take it (a draft, a closed claim, a reversal of nothing posted).
    The rest of the file posts; a biller works these from the queue."""

    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="unmatched")
    control_number = models.CharField("claim number (CLP01)", max_length=40)
    status_code = models.CharField(max_length=2)
    charge = models.DecimalField(max_digits=12, decimal_places=2)
    paid = models.DecimalField(max_digits=12, decimal_places=2)
    patient_responsibility = models.DecimalField(max_digits=12, decimal_places=2)
    payer_claim_number = models.CharField(max_length=50, blank=True)
    reason = models.CharField(max_length=255)
    claim = models.ForeignKey(
        "billing.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["resolved", "-created_at"]
        indexes = [models.Index(fields=["organization", "resolved"], name="unmatched_queue")]

    def __str__(self) -> str:
        return f"Unmatched {self.control_number} ({self.paid})"

    @property
    def status_label(self) -> str:
        return carc.describe_claim_status(self.status_code)
