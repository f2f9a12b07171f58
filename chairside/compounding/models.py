"""Sterile compounding (USP <797>): where doses are made, master formulation records, and the
compounding record of each prepared dose with the lots it drew from stock.

The rules (beyond-use dates, areas, concentration) are in ``chairside.rules.inventory.compounding``;
the stock an ingredient draws leaves the inventory ledger as a dispense to the patient, so
every compounded milligram names its lot and a lot recall finds it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from chairside.core.models import BaseModel, OrgScopedModel
from chairside.rules.inventory import compounding as rules

CATEGORY_CHOICES = [(c.value, label) for c, label in rules.CATEGORY_LABELS.items()]
STORAGE_CHOICES = [(s.value, label) for s, label in rules.STORAGE_LABELS.items()]
AREA_CHOICES = [(a.value, label) for a, label in rules.AREA_LABELS.items()]


class CompoundingArea(OrgScopedModel):
    """A room and its hood (primary engineering control) at a site, e.g. "Cleanroom · LAFW 1"."""

    location = models.ForeignKey(
        "tenancy.Location", on_delete=models.PROTECT, related_name="compounding_areas"
    )
    name = models.CharField(max_length=80, help_text="Room and hood, e.g. “Cleanroom · LAFW 1”.")
    kind = models.CharField(max_length=14, choices=AREA_CHOICES)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="uniq_compounding_area"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().split(' (')[0]})"


class MasterFormulation(OrgScopedModel):
    """How a CSP is made, every time: ingredients, diluent, final volume, category, storage
    and the room it needs (USP <797> §16, master formulation record)."""

    name = models.CharField(max_length=160)
    container = models.CharField(max_length=60, default="IV bag")
    diluent = models.CharField(max_length=80, help_text="e.g. 0.9% sodium chloride")
    final_volume_ml = models.DecimalField(
        "final volume (mL)",
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    category = models.CharField(max_length=14, choices=CATEGORY_CHOICES)
    storage = models.CharField(max_length=14, choices=STORAGE_CHOICES)
    area_kind = models.CharField("made in", max_length=14, choices=AREA_CHOICES)
    stability_hours = models.DecimalField(
        "in-use stability (hours)",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal(2000))],
        help_text="From the product label or a published study, when shorter than USP <797>'s "
        "limit; it shortens the beyond-use date.",
    )
    instructions = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    is_demo = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_formulation_name"),
            models.CheckConstraint(
                condition=Q(final_volume_ml__gt=0), name="formulation_volume_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MasterIngredient(BaseModel):
    """A drug of the formulation; ``amount_mg`` empty: the patient's ordered dose."""

    formulation = models.ForeignKey(
        MasterFormulation, on_delete=models.CASCADE, related_name="ingredients"
    )
    drug = models.ForeignKey("formulary.Drug", on_delete=models.PROTECT, related_name="+")
    amount_mg = models.DecimalField(
        "amount (mg)", max_digits=10, decimal_places=3, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        amount = f"{self.amount_mg.normalize():f} mg" if self.amount_mg else "dose per order"
        return f"{self.drug.generic_name} ({amount})"


class CompoundingRecord(OrgScopedModel):
    """One prepared dose for one patient (USP <797> §17, compounding record)."""

    class Status(models.TextChoices):
        PREPARED = "prepared", "Prepared: awaiting verification"
        VERIFIED = "verified", "Verified: ready to dispense"

    number = models.CharField(max_length=20)
    formulation = models.ForeignKey(
        MasterFormulation, on_delete=models.PROTECT, related_name="records"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="compounding_records"
    )
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(CompoundingArea, on_delete=models.PROTECT, related_name="records")
    category = models.CharField(max_length=14, choices=CATEGORY_CHOICES)
    storage = models.CharField(max_length=14, choices=STORAGE_CHOICES)
    started_at = models.DateTimeField("preparation started")
    diluent = models.CharField(max_length=80)
    diluent_lot = models.CharField(max_length=40)
    diluent_expires_on = models.DateField()
    final_volume_ml = models.DecimalField("final volume (mL)", max_digits=7, decimal_places=1)
    dose_mg = models.DecimalField("drug in the preparation (mg)", max_digits=10, decimal_places=3)
    concentration_mg_ml = models.DecimalField(
        "concentration (mg/mL)", max_digits=12, decimal_places=4
    )
    beyond_use_at = models.DateTimeField("beyond-use date")
    bud_limited_by = models.CharField("beyond-use date set by", max_length=160)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_by_name = models.CharField(max_length=160)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_by_name = models.CharField(max_length=160, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARED)
    notes = models.CharField(max_length=255, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="uniq_compounding_number"
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("prepared_by")),
                name="compounding_verified_by_another_person",
            ),
            models.CheckConstraint(
                condition=Q(beyond_use_at__gt=F("started_at")), name="compounding_bud_after_start"
            ),
            models.CheckConstraint(
                condition=Q(final_volume_ml__gt=0), name="compounding_volume_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-started_at"], name="compounding_org_start")
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.formulation.name}"

    @property
    def concentration(self) -> str:
        """mg/mL without trailing zeros (1.4, 0.0125)."""
        return f"{self.concentration_mg_ml.normalize():f}"

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class CompoundingIngredient(BaseModel):
    """Drug drawn from one lot into the preparation, with the ledger's dispense movement."""

    record = models.ForeignKey(
        CompoundingRecord, on_delete=models.CASCADE, related_name="ingredients"
    )
    drug = models.ForeignKey("formulary.Drug", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey("inventory.Lot", on_delete=models.PROTECT, related_name="+")
    vials = models.PositiveSmallIntegerField()
    amount_mg = models.DecimalField("amount drawn (mg)", max_digits=10, decimal_places=3)
    movement = models.OneToOneField(
        "inventory.Movement", on_delete=models.PROTECT, related_name="compounding_ingredient"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(vials__gte=1), name="compounding_vials_positive"),
            models.CheckConstraint(
                condition=Q(amount_mg__gt=0), name="compounding_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.amount_mg.normalize():f} mg {self.drug.generic_name} lot {self.lot.lot_number}"
        )
