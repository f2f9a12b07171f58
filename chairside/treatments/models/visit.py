"""The visit: one patient's treatment day at the chair, from check-in to a signed record.

A visit is made from a checked-in appointment (one visit per appointment). Until it is
signed every part of it may be saved piece by piece; signing locks it, and later
corrections are addenda.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chairside.core.models import BaseModel, OrgScopedModel
from chairside.patients.models import MAX_WEIGHT_KG, MIN_WEIGHT_KG


class Visit(OrgScopedModel):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SIGNED = "signed", "Signed"

    class Condition(models.TextChoices):
        STABLE = "stable", "Stable, ambulatory, no complaints"
        STABLE_ASSISTED = "stable_assisted", "Stable, left with assistance"
        TRANSFERRED = "transferred", "Transferred (emergency department / hospital)"
        OTHER = "other", "Other (see notes)"

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="visit"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="visits")
    order = models.ForeignKey(
        "referrals.TreatmentOrder", on_delete=models.PROTECT, related_name="visits"
    )
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    chair = models.ForeignKey(
        "tenancy.Chair", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nurse = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField(help_text="The treatment day at the location.")
    dose_number = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    # --- check-in checks ---------------------------------------------------------------
    identifiers = models.JSONField(default=list, blank=True)
    identity_confirmed_at = models.DateTimeField(null=True, blank=True)
    allergies_reviewed_at = models.DateTimeField(null=True, blank=True)
    allergies_note = models.CharField(max_length=255, blank=True)
    weight_kg = models.DecimalField(
        "today's weight (kg)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_WEIGHT_KG), MaxValueValidator(MAX_WEIGHT_KG)],
    )
    weight_confirmed_by = models.CharField(
        "dose confirmed by (provider)", max_length=120, blank=True
    )
    weight_confirmed_at = models.DateTimeField(null=True, blank=True)
    labs_cleared_by = models.CharField(
        "labs due: proceed approved by (provider)", max_length=120, blank=True
    )
    allergy_cleared_by = models.CharField(
        "allergy to today's drug: give it anyway, decided by (provider)",
        max_length=120,
        blank=True,
    )
    program_answers = models.JSONField(default=dict, blank=True)
    program_cleared_by = models.CharField(
        "program: infusion authorized by (prescriber)", max_length=120, blank=True
    )
    premeds_given = models.CharField(max_length=255, blank=True)
    premeds_at = models.DateTimeField(null=True, blank=True)
    premeds_not_given_reason = models.CharField(max_length=255, blank=True)
    dose_held = models.BooleanField(default=False)
    held_reason = models.CharField(max_length=255, blank=True)
    # --- observation and discharge -------------------------------------------------------
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharge_condition = models.CharField(max_length=16, choices=Condition.choices, blank=True)
    early_discharge_reason = models.CharField(max_length=255, blank=True)
    supervising_provider = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField("nursing notes", blank=True)
    # --- sign-off ----------------------------------------------------------------------
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_by_name = models.CharField(max_length=160, blank=True)

    class Meta:
        ordering = ["-date", "-started_at"]
        indexes = [
            models.Index(fields=["organization", "date", "status"], name="visit_day"),
            models.Index(fields=["patient", "-date"], name="visit_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(signed_at__isnull=False),
                name="visit_signed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Visit of {self.patient} on {self.date:%m/%d/%Y}"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def drug(self):  # type: ignore[no-untyped-def]
        return self.order.drug

    def local(self, moment: dt.datetime | None) -> dt.datetime | None:
        return moment.astimezone(self.location.tz) if moment else None


class Consent(OrgScopedModel):
    """Informed consent to a drug: who signed, to what, with a drawn signature; yearly."""

    class Relationship(models.TextChoices):
        SELF = "self", "Patient"
        PARENT = "parent", "Parent"
        GUARDIAN = "guardian", "Legal guardian"
        PROXY = "proxy", "Health care proxy / agent"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consents"
    )
    drug = models.ForeignKey("formulary.Drug", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "referrals.TreatmentOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
    )
    signer_name = models.CharField("signed by (typed name)", max_length=160)
    relationship = models.CharField(
        max_length=10, choices=Relationship.choices, default=Relationship.SELF
    )
    signature = models.TextField(help_text="The drawn signature as a PNG data URL.")
    risks_discussed = models.TextField(blank=True)
    explained_by = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    signed_on = models.DateField()
    expires_on = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["patient", "drug", "-signed_at"], name="consent_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("signed_on")), name="consent_expires_after"
            ),
        ]

    def __str__(self) -> str:
        return f"Consent to {self.drug.generic_name} signed {self.signed_on:%m/%d/%Y}"


class VisitAlert(OrgScopedModel):
    """A message for the supervising provider (a grade 3+ reaction) until acknowledged."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="alerts")
    reaction = models.ForeignKey(
        "treatments.Reaction", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(max_length=255)
    to_provider = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "acknowledged_at"], name="alert_open")]

    def __str__(self) -> str:
        return self.message


class Addendum(BaseModel):
    """A correction or late entry after signing; the signed record itself never changes."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    author_name = models.CharField(max_length=160)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum by {self.author_name} {self.created_at:%m/%d/%Y %H:%M}"
