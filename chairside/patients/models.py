"""Patients: demographics, allergies, diagnoses, weights and insurance coverage."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from chairside.audit import reads
from chairside.core.models import BaseModel, OrgScopedModel

MIN_WEIGHT_KG = Decimal("0.5")
MAX_WEIGHT_KG = Decimal("400")


def search_key(text: str) -> str:
    """Lower-case ASCII letters and digits, for fast prefix search ('O'Brien' → 'obrien')."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in folded if ch.isalnum())


def _compiles(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValidationError(f"Not a valid regular expression: {exc}.") from None


class Payer(OrgScopedModel):
    class Kind(models.TextChoices):
        MEDICARE_B = "medicare_b", "Medicare Part B"
        MEDICARE_ADVANTAGE = "medicare_advantage", "Medicare Advantage"
        MEDICAID = "medicaid", "Medicaid"
        COMMERCIAL = "commercial", "Commercial"
        TRICARE = "tricare", "TRICARE / VA"
        SELF_PAY = "self_pay", "Self-pay"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    payer_id = models.CharField(
        "electronic payer ID", max_length=20, blank=True, help_text="Used on 837P claims."
    )
    phone = models.CharField(max_length=30, blank=True)
    member_id_pattern = models.CharField(
        "member ID pattern",
        max_length=200,
        blank=True,
        validators=[_compiles],
        help_text="A regular expression every member ID of this payer matches, from the payer's "
        "published ID card format (e.g. [A-Z]{3}[0-9]{9}). Empty: not checked. Medicare Part B "
        "IDs are always checked against the MBI format.",
    )
    member_id_hint = models.CharField(
        "member ID format, in words",
        max_length=120,
        blank=True,
        help_text="Shown when an ID does not match, e.g. '3 letters then 9 digits'.",
    )
    is_demo = models.BooleanField(default=False, help_text="A made-up payer for the demo center.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_payer_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Patient(OrgScopedModel):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        UNKNOWN = "U", "Unknown"

    mrn = models.CharField("MRN", max_length=32)
    first_name = models.CharField(max_length=80)
    middle_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField("administrative sex", max_length=1, choices=Sex.choices)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    preferred_language = models.CharField(max_length=40, default="English")
    interpreter_needed = models.BooleanField(default=False)
    home_location = models.ForeignKey(
        "tenancy.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    no_known_allergies = models.BooleanField("no known drug allergies (NKDA)", default=False)
    is_active = models.BooleanField(default=True)
    # Appointment reminders (chairside.reminders; rules.reminders.channel_for decides).
    reminder_channel = models.CharField(
        max_length=5,
        choices=[("email", "E-mail"), ("sms", "Text message"), ("none", "No reminders")],
        default="email",
    )
    sms_consent_at = models.DateTimeField(
        "consented to text messages", null=True, blank=True, help_text="Empty: no consent."
    )
    reminders_opted_out_at = models.DateTimeField(
        "opted out of reminders", null=True, blank=True, help_text="Empty: not opted out."
    )
    # Normalised copies of the name for indexed prefix search; kept by save().
    last_name_key = models.CharField(max_length=80, editable=False, default="")
    first_name_key = models.CharField(max_length=80, editable=False, default="")
    phone_digits = models.CharField(max_length=15, editable=False, default="")

    class Meta:
        ordering = ["last_name_key", "first_name_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "mrn"], name="uniq_patient_mrn"),
        ]
        indexes = [
            models.Index(
                fields=["organization", "last_name_key", "first_name_key", "id"],
                name="patient_name_search",
            ),
            models.Index(
                fields=["organization", "first_name_key", "last_name_key"],
                name="patient_first_name_search",
            ),
            models.Index(fields=["organization", "date_of_birth"], name="patient_dob"),
            models.Index(fields=["organization", "phone_digits"], name="patient_phone"),
        ]

    @classmethod
    def from_db(cls, *args: Any, **kwargs: Any) -> Patient:
        """Every patient read during a request is noted for its audit row (audit.reads)."""
        instance = super().from_db(*args, **kwargs)
        reads.note_loaded(instance)
        return instance

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.last_name_key = search_key(self.last_name)
        self.first_name_key = search_key(self.first_name)
        self.phone_digits = "".join(ch for ch in self.phone if ch.isdigit())[-15:]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,  # type: ignore[misc]
                "last_name_key",
                "first_name_key",
                "phone_digits",
            }
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        middle = f" {self.middle_name[:1]}." if self.middle_name else ""
        return f"{self.first_name}{middle} {self.last_name}"

    def age_on(self, day: dt.date) -> int:
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - int(before_birthday)


class Allergy(BaseModel):
    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe / anaphylaxis"
        UNKNOWN = "unknown", "Unknown"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="allergies")
    substance = models.CharField(max_length=120)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.UNKNOWN)

    class Meta:
        ordering = ["substance"]
        verbose_name_plural = "allergies"

    def __str__(self) -> str:
        return self.substance


class Diagnosis(BaseModel):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diagnoses")
    icd10_code = models.CharField("ICD-10-CM code", max_length=8)
    description = models.CharField(max_length=255)
    is_primary = models.BooleanField(default=False)
    noted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-is_primary", "icd10_code"]
        verbose_name_plural = "diagnoses"
        constraints = [
            models.UniqueConstraint(fields=["patient", "icd10_code"], name="uniq_patient_dx"),
        ]

    def __str__(self) -> str:
        return f"{self.icd10_code} {self.description}"


class BodyMeasurement(BaseModel):
    """A dated weight (and optional height): weight-based doses use the latest one."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    weight_kg = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(MIN_WEIGHT_KG), MaxValueValidator(MAX_WEIGHT_KG)],
    )
    height_cm = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("20")), MaxValueValidator(Decimal("260"))],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-measured_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight_kg__gte=MIN_WEIGHT_KG, weight_kg__lte=MAX_WEIGHT_KG),
                name="measurement_weight_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weight_kg} kg on {self.measured_on}"

    @property
    def bmi(self) -> Decimal | None:
        if not self.height_cm:
            return None
        metres = Decimal(self.height_cm) / 100
        return (Decimal(self.weight_kg) / (metres * metres)).quantize(Decimal("0.1"))


class Coverage(BaseModel):
    class Relation(models.TextChoices):
        SELF = "self", "Self"
        SPOUSE = "spouse", "Spouse"
        CHILD = "child", "Child"
        OTHER = "other", "Other"

    class Order(models.IntegerChoices):
        PRIMARY = 1, "Primary"
        SECONDARY = 2, "Secondary"
        TERTIARY = 3, "Tertiary"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    plan_name = models.CharField(max_length=120, blank=True)
    member_id = models.CharField("member ID", max_length=40)
    group_number = models.CharField(max_length=40, blank=True)
    subscriber_relation = models.CharField(
        max_length=8, choices=Relation.choices, default=Relation.SELF
    )
    subscriber_name = models.CharField(
        max_length=160, blank=True, help_text="Only when the patient is not the subscriber."
    )
    order = models.PositiveSmallIntegerField("order of benefits", choices=Order.choices)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["order", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="coverage_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_order_display()}: {self.payer} {self.member_id}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class LabResult(BaseModel):
    """A dated lab or screening result (TB test, hepatitis B panel, anti-JCV antibody …).

    ``lab_name`` matches the names of the formulary's required labs (``DrugLab.name``) so
    an order can tell which of its required labs are due. Added with the referrals module.
    """

    class Interpretation(models.TextChoices):
        NEGATIVE = "negative", "Negative / normal"
        POSITIVE = "positive", "Positive / abnormal"
        INDETERMINATE = "indeterminate", "Indeterminate"
        RECORDED = "recorded", "Value recorded"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="lab_results")
    lab_name = models.CharField(max_length=160)
    code = models.CharField(
        max_length=20,
        blank=True,
        help_text="Key in the coded lab list (rules.lab_codes); empty: uncoded, matched by name.",
    )
    result_on = models.DateField("result date")
    value = models.CharField(max_length=80, blank=True, help_text="e.g. index 0.35, 4.1 g/dL")
    interpretation = models.CharField(
        max_length=16, choices=Interpretation.choices, default=Interpretation.RECORDED
    )
    notes = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-result_on", "-id"]
        indexes = [
            models.Index(fields=["patient", "lab_name", "-result_on"], name="labresult_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.lab_name} on {self.result_on}"
