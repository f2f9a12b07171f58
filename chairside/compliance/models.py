"""Accreditation evidence per location: licences, skills check-offs, policies and their
acknowledgements, storage temperature logs with their excursions, incidents and follow-ups.

Competencies themselves stay on the staff record (``tenancy.Competency``, which booking and
the readiness board check); an annual skills check-off renews the competency it covers.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from chairside.core.models import BaseModel, OrgScopedModel
from chairside.rules.inventory.temperature import device_range
from chairside.tenancy.models import Competency


class StaffLicence(OrgScopedModel):
    """A professional licence, verified with its primary source (the state board, Nursys)."""

    class Kind(models.TextChoices):
        RN = "RN", "Registered nurse (RN)"
        LPN = "LPN", "Licensed practical nurse (LPN)"
        NP = "NP", "Nurse practitioner (APRN)"
        RPH = "RPh", "Pharmacist (RPh / PharmD)"
        CPHT = "CPhT", "Pharmacy technician registration"
        MD = "MD", "Physician (MD / DO)"
        PA = "PA", "Physician assistant (PA)"
        DEA = "DEA", "DEA registration"
        OTHER = "other", "Other"

    staff = models.ForeignKey(
        "tenancy.StaffMember", on_delete=models.CASCADE, related_name="licences"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    state = models.CharField(max_length=2, blank=True, help_text="Two letters; empty for DEA.")
    number = models.CharField(max_length=40)
    expires_on = models.DateField()
    verified_with = models.CharField(
        max_length=120, blank=True, help_text="The primary source, e.g. Nursys, state board site."
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["expires_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "kind", "state", "number"], name="uniq_staff_licence"
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.state} " if self.state else ""
        return f"{where}{self.kind} {self.number}"


class SkillCheckoff(OrgScopedModel):
    """An annual skills check-off: a qualified colleague watched the person do the skill and
    confirmed it with her own user name and password."""

    staff = models.ForeignKey(
        "tenancy.StaffMember", on_delete=models.CASCADE, related_name="checkoffs"
    )
    skill = models.CharField(max_length=32, choices=Competency.Skill.choices)
    checked_on = models.DateField()
    due_on = models.DateField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by_name = models.CharField(max_length=160)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gt=models.F("checked_on")),
                name="checkoff_due_after_checked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_skill_display()} check-off {self.checked_on:%m/%d/%Y}"


class Policy(OrgScopedModel):
    """One version of a policy staff must read and acknowledge. The current version of a
    title is the latest one in effect; a location of None means every location."""

    title = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    effective_on = models.DateField()
    location = models.ForeignKey(
        "tenancy.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["title", "-effective_on"]
        verbose_name_plural = "policies"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "title", "version"], name="uniq_policy_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class PolicyAcknowledgement(BaseModel):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="acknowledgements")
    staff = models.ForeignKey("tenancy.StaffMember", on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "staff"], name="uniq_policy_ack"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} acknowledged {self.policy}"


class TemperatureDevice(OrgScopedModel):
    """A refrigerator, freezer or room whose temperature is logged (USP <659> ranges, or a
    narrower range the stored products' labels ask for)."""

    class Kind(models.TextChoices):
        REFRIGERATOR = "refrigerator", "Refrigerator (2 to 8 °C)"
        FREEZER = "freezer", "Freezer (-25 to -10 °C)"
        ROOM = "room", "Room, controlled room temperature (20 to 25 °C)"

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    low_c = models.DecimalField("low limit °C", max_digits=5, decimal_places=1)
    high_c = models.DecimalField("high limit °C", max_digits=5, decimal_places=1)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="uniq_temperature_device"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            device_range(self.kind, self.low_c, self.high_c)
        except ValueError as exc:
            raise ValidationError({"high_c": str(exc)}) from None


class TemperatureExcursion(OrgScopedModel):
    """One continuous episode of readings out of range; it needs a follow-up: what was done
    and whether the stored products can still be used."""

    device = models.ForeignKey(
        TemperatureDevice, on_delete=models.CASCADE, related_name="excursions"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    min_c = models.DecimalField(max_digits=5, decimal_places=1)
    max_c = models.DecimalField(max_digits=5, decimal_places=1)
    description = models.CharField(max_length=200)
    action_taken = models.TextField(blank=True)
    product_impact = models.TextField(blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followed_up_by_name = models.CharField(max_length=160, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.device}: {self.description}"

    @property
    def has_follow_up(self) -> bool:
        return self.followed_up_at is not None


class TemperatureReading(BaseModel):
    class Status(models.TextChoices):
        IN_RANGE = "in_range", "In range"
        ALLOWED = "allowed", "Allowed excursion (MKT within limit)"
        EXCURSION = "excursion", "Excursion"

    device = models.ForeignKey(TemperatureDevice, on_delete=models.CASCADE, related_name="readings")
    at = models.DateTimeField()
    celsius = models.DecimalField(max_digits=5, decimal_places=1)
    status = models.CharField(max_length=12, choices=Status.choices)
    excursion = models.ForeignKey(
        TemperatureExcursion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="readings",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=12, default="entered")  # entered, csv

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["device", "at"], name="uniq_reading_time"),
            models.CheckConstraint(
                condition=models.Q(celsius__gte=Decimal("-90"), celsius__lte=Decimal("60")),
                name="reading_plausible_celsius",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.celsius} °C"


class Incident(OrgScopedModel):
    """An occurrence report: what happened, how bad, and the follow-up actions."""

    class Kind(models.TextChoices):
        MEDICATION_ERROR = "medication_error", "Medication error"
        ADVERSE_REACTION = "adverse_reaction", "Adverse drug reaction"
        FALL = "fall", "Patient fall"
        NEEDLESTICK = "needlestick", "Needlestick / exposure"
        INFECTION = "infection", "Infection (e.g. line infection)"
        EQUIPMENT = "equipment", "Equipment / pump failure"
        STORAGE = "storage", "Storage / cold chain"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        NO_HARM = "no_harm", "No harm (near miss or reached patient without harm)"
        MINOR = "minor", "Minor harm"
        MODERATE = "moderate", "Moderate harm"
        SEVERE = "severe", "Severe harm"
        SENTINEL = "sentinel", "Death or sentinel event"

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_on = models.DateField()
    description = models.TextField()
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    severity = models.CharField(max_length=12, choices=Severity.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on:%m/%d/%Y}"


class IncidentAction(BaseModel):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=300)
    owner = models.ForeignKey("tenancy.StaffMember", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.action


class TemperatureImport(OrgScopedModel):
    """An uploaded temperature log (a data logger's CSV export): kept, dry-run, then imported
    all or nothing (the approach of ``interop.csv_import``)."""

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked: ready to import"
        PROBLEMS = "problems", "Has problems"
        IMPORTED = "imported", "Imported"

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices)
    row_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Temperature log {self.filename}"
