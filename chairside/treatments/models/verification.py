"""The pharmacist's verification of a booked dose, before it is prepared."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chairside.core.models import OrgScopedModel


class DoseVerification(OrgScopedModel):
    """Who checked which dose and which vials for one booked appointment, and when.

    Append-only: verifying again (after a weight or order change) adds a row; the latest
    one is the verification in force. ``vials`` keeps what was proposed at that moment
    (lot, NDC, strength, expiry, vials), so the record reads the same after stock moves.
    """

    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="verifications"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verifier = models.ForeignKey("tenancy.StaffMember", on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(default=timezone.now)
    dose_mg = models.DecimalField(max_digits=10, decimal_places=3)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    basis = models.CharField(max_length=255, help_text="How the dose was worked out.")
    vials = models.JSONField(default=list, help_text="The lots and vials proposed.")

    class Meta:
        ordering = ["-verified_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(dose_mg__gt=0), name="verification_dose_positive"),
        ]

    def vial_lines(self) -> list[dict[str, Any]]:
        """The vials as recorded, with the expiry as a date (for display)."""
        return [
            {**line, "expires_on": dt.date.fromisoformat(line["expires_on"])} for line in self.vials
        ]

    def __str__(self) -> str:
        return f"{self.dose_mg.normalize():f} mg verified {self.verified_at:%Y-%m-%d %H:%M}"


class EarlyPreparation(OrgScopedModel):
    """Why a dose is prepared before the patient has checked in and passed the checks.

    The prep gate (``services.prep_gate``) refuses to prepare a booked dose until then,
    because drug mixed for a patient who is then not treated is wasted and cannot be billed;
    a pharmacist or nurse may let it start early for a stated reason (a long preparation,
    say). One per appointment: recording it again replaces the reason (both audited).
    """

    class Reason(models.TextChoices):
        LONG_PREPARATION = "long_preparation", "Long preparation time"
        FIRST_CHAIR = "first_chair", "First chair of the day: prepared before opening"
        PATIENT_ON_SITE = "patient_on_site", "Patient on site; check-in under way"
        CONFIRMED_PRIOR_DAY = "confirmed", "Patient and checks confirmed by phone"
        OTHER = "other", "Other (say why)"

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="early_preparation"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        "tenancy.StaffMember", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        text = self.get_reason_display()
        return f"{text}: {self.note}" if self.note else text


class PreparedNotGiven(OrgScopedModel):
    """A dose whose vials were dispensed (prepared) and which was then not given.

    Recorded when the appointment is cancelled or missed, or the dose is held at the
    chair, after its vials left the shelf: the costliest waste of a center (issue 16). The
    cost is the acquisition cost of the vials dispensed for it, from the inventory ledger
    (the lots' cost per vial; a patient's own drug cost the center nothing).
    """

    class Reason(models.TextChoices):
        CANCELLED = "cancelled", "Appointment cancelled"
        NO_SHOW = "no_show", "Patient did not come"
        HELD = "held", "Dose held at the chair after preparation"

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="prepared_not_given"
    )
    visit = models.ForeignKey(
        "treatments.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.CharField(max_length=255, blank=True)
    vials = models.JSONField(default=list, help_text="The lots and vials dispensed for it.")
    cost = models.DecimalField(max_digits=12, decimal_places=2)
    on_date = models.DateField(help_text="The appointment's day at its site.")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on_date", "-id"]
        indexes = [models.Index(fields=["organization", "on_date"], name="png_org_date")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.on_date:%m/%d/%Y}: ${self.cost}"
