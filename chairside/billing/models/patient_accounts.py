"""Patient accounts: what patients owe after insurance (or without it), and what they paid.

The ledger is append-only: a patient's balance is the sum of its entries. A change in what a
payer left to the patient (a reversal, a corrected 835, a visit re-derived) posts the
difference as a new charge entry; a payment or write-off is its own entry with its method
or reason. Card numbers are never stored (``rules.billing.patient_ar.card_reference_problem``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from chairside.core.models import OrgScopedModel


class PatientLedgerEntry(OrgScopedModel):
    """One line of a patient's account. ``amount`` is signed: a charge raises the balance,
    a payment or write-off lowers it."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        PAYMENT = "payment", "Payment"
        WRITE_OFF = "write_off", "Write-off"

    class Method(models.TextChoices):
        CASH = "cash", "Cash"
        CARD = "card", "Card"
        CHECK = "check", "Check"

    class WriteOffReason(models.TextChoices):
        SMALL_BALANCE = "small_balance", "Small balance"
        HARDSHIP = "hardship", "Financial hardship / charity care"
        BAD_DEBT = "bad_debt", "Bad debt (uncollectable)"
        ADMINISTRATIVE = "administrative", "Administrative"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    posted_on = models.DateField()
    service_date = models.DateField(
        null=True, blank=True, help_text="For a charge: the visit's date of service."
    )
    encounter = models.ForeignKey(
        "billing.Encounter", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claim = models.ForeignKey(
        "billing.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=200)
    method = models.CharField(max_length=5, choices=Method.choices, blank=True)
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="Check number, or the card terminal's authorization code / last four digits.",
    )
    write_off_reason = models.CharField(max_length=16, choices=WriteOffReason.choices, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["posted_on", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind__in=["payment", "write_off"]) | Q(amount__lt=0),
                name="ledger_credit_is_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind="payment") | ~Q(method=""), name="ledger_payment_has_method"
            ),
            models.CheckConstraint(
                condition=~Q(kind="write_off") | ~Q(write_off_reason=""),
                name="ledger_write_off_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["organization", "patient"], name="ledger_patient")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} · {self.patient}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("The patient ledger is append-only; post a new entry instead.")
        super().save(*args, **kwargs)

    @property
    def how(self) -> str:
        """The method and reference, or the write-off reason, in words."""
        if self.kind == self.Kind.PAYMENT:
            ref = f" {self.reference}" if self.reference else ""
            return f"{self.get_method_display()}{ref}"
        if self.kind == self.Kind.WRITE_OFF:
            return self.get_write_off_reason_display()
        return ""


class PaymentPlan(OrgScopedModel):
    """A patient's agreement to pay ``monthly`` a month from ``first_due`` until ``total``
    is paid. Ended plans are kept (``ended_on``)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="payment_plans"
    )
    total = models.DecimalField(max_digits=12, decimal_places=2)
    monthly = models.DecimalField("amount per month", max_digits=12, decimal_places=2)
    first_due = models.DateField()
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly__gt=0), name="plan_monthly_positive"),
            models.CheckConstraint(condition=Q(total__gt=0), name="plan_total_positive"),
            models.UniqueConstraint(
                fields=["patient"], condition=Q(ended_on__isnull=True), name="uniq_open_plan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.monthly}/month from {self.first_due:%m/%d/%Y} · {self.patient}"


class PatientStatement(OrgScopedModel):
    """One statement sent to a patient: the exact figures printed, kept as data."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="statements"
    )
    number = models.CharField(max_length=20)
    statement_date = models.DateField()
    due_date = models.DateField()
    balance = models.DecimalField(max_digits=12, decimal_places=2)
    amount_due = models.DecimalField(max_digits=12, decimal_places=2)
    data = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-statement_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="uniq_patient_statement_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Statement {self.number} · {self.patient}"
