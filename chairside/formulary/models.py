"""The center's formulary: drugs, their packages (NDCs), required labs and regimen templates.

Each organization keeps its own copy (loaded from the reference file in ``data/``), because
durations, prices and coverage practice differ by center.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from chairside.core.models import BaseModel, OrgScopedModel
from chairside.rules.clinical.regimens import (
    DoseRule,
    Regimen,
    bands_from_data,
    check_regimen,
    dose_mg,
)
from chairside.rules.inventory.ndc import format_ndc11

hcpcs_validator = RegexValidator(
    r"^[A-Z][0-9]{4}$", "A HCPCS Level II code is a letter and four digits, e.g. J1745."
)


class Drug(OrgScopedModel):
    class AdminCategory(models.TextChoices):
        CHEMO = "chemo", "Chemotherapy / complex biologic"
        THERAPEUTIC = "therapeutic", "Therapeutic / prophylactic / diagnostic"
        HYDRATION = "hydration", "Hydration"
        INJECTION = "injection", "Injection (SC / IM)"

    key = models.SlugField(max_length=60)
    generic_name = models.CharField(max_length=120)
    brand_name = models.CharField(max_length=120, blank=True)
    hcpcs = models.CharField("HCPCS code", max_length=5, validators=[hcpcs_validator])
    hcpcs_descriptor = models.CharField(max_length=255, blank=True)
    billing_unit_mg = models.DecimalField(
        "HCPCS billing unit (mg)",
        max_digits=10,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    routes = models.CharField(max_length=40, default="IV", help_text="Comma-separated: IV, SC, IM.")
    admin_category = models.CharField(max_length=16, choices=AdminCategory.choices)
    first_infusion_minutes = models.PositiveSmallIntegerField(default=60)
    subsequent_infusion_minutes = models.PositiveSmallIntegerField(default=60)
    observation_minutes = models.PositiveSmallIntegerField(default=0)
    use_within_hours = models.DecimalField(
        "label's limit from preparation to start (hours)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="When the label is stricter than USP <797> (e.g. infliximab: 3 h).",
    )
    use_within_source = models.CharField(max_length=300, blank=True)
    prior_auth_usually_required = models.BooleanField(default=True)
    # The center's policy, e.g. for a drug on the NIOSH List of Hazardous Drugs in Healthcare
    # Settings or a DEA-controlled substance: the discarded part of an opened vial is wasted
    # in front of a second licensed person, who confirms it with her own credentials.
    waste_witness_required = models.BooleanField(
        "waste must be witnessed",
        default=False,
        help_text="The discarded part of opened vials is wasted in front of a second "
        "licensed person (hazardous or controlled drugs, per the center's policy).",
    )
    special_program = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    premedication = models.BooleanField(
        default=False,
        help_text="A premedication the center gives from its own stock (billed with its own "
        "HCPCS code and administration code).",
    )
    sources = models.TextField(blank=True, help_text="Where these facts were checked.")

    class Meta:
        ordering = ["generic_name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="uniq_drug_key"),
        ]

    def __str__(self) -> str:
        return f"{self.generic_name} ({self.brand_name})" if self.brand_name else self.generic_name

    @property
    def route_list(self) -> list[str]:
        return [r.strip() for r in self.routes.split(",") if r.strip()]


class DrugLab(BaseModel):
    """A lab or screening required before infusions of this drug, and how often."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="required_labs")
    name = models.CharField(max_length=160)
    code = models.CharField(
        max_length=20,
        blank=True,
        help_text="Key in the coded lab list (rules.lab_codes); empty: uncoded, matched by name.",
    )
    every_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Repeat interval; empty means once before starting."
    )
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Package(BaseModel):
    class Storage(models.TextChoices):
        REFRIGERATED = "refrigerated", "Refrigerated 2-8 °C"
        ROOM = "room", "Room temperature"

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="packages")
    ndc11 = models.CharField("NDC (11 digits)", max_length=11)
    description = models.CharField(max_length=200)
    strength_mg = models.DecimalField(
        max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    volume_ml = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    # NDC quantity on the claim (837P CTP04/CTP05): the unit the package is sold in — ML for
    # a solution, UN for a powder vial or an each, GR where the label states grams — and how
    # many of them one package holds (NCPDP Billing Unit Standard; CMS/NUCC N4 instructions).
    ndc_unit = models.CharField(
        "NDC unit",
        max_length=2,
        choices=[("ML", "mL (solution)"), ("UN", "unit / each (powder vial)"), ("GR", "gram")],
        default="UN",
    )
    ndc_quantity = models.DecimalField(
        "NDC quantity per package",
        max_digits=10,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    single_dose = models.BooleanField(default=True)
    storage = models.CharField(max_length=16, choices=Storage.choices, default=Storage.REFRIGERATED)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["drug", "strength_mg"]
        constraints = [
            models.UniqueConstraint(fields=["drug", "ndc11"], name="uniq_package_ndc"),
        ]

    def __str__(self) -> str:
        return f"{self.ndc} {self.description}"

    @property
    def ndc(self) -> str:
        return format_ndc11(self.ndc11)


class RegimenTemplate(BaseModel):
    """A labelled schedule: loading doses at day offsets, then a maintenance interval."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="regimens")
    name = models.CharField(max_length=160)
    loading_days = models.JSONField(default=list, help_text="Day offsets from the first dose.")
    maintenance_interval_days = models.PositiveIntegerField(null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    dose_mg_per_kg = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    dose_max_mg = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    dose_max_source = models.CharField(
        "maximum checked against",
        max_length=300,
        blank=True,
        help_text="The label section giving (or not giving) a per-infusion maximum.",
    )
    # The label's weight-band table (rules.regimens.WeightBand rows as decimal strings):
    # [{"mg": "260", "up_to_kg": "55"}, {"mg": "390", "up_to_kg": "85"}, {"mg": "520"}].
    dose_bands = models.JSONField(
        null=True, blank=True, help_text="Weight bands: the label's dose table by body weight."
    )
    maintenance_dose_mg = models.DecimalField(
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Flat maintenance dose when it differs from the loading dose.",
    )
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["drug", "name"]

    def __str__(self) -> str:
        return f"{self.drug.generic_name}: {self.name}"

    def clean(self) -> None:
        try:
            check_regimen(self.as_regimen())
            self.as_dose_rule()
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def as_regimen(self) -> Regimen:
        return Regimen(
            loading_days=tuple(int(d) for d in self.loading_days),
            maintenance_interval_days=self.maintenance_interval_days,
        )

    def as_dose_rule(self) -> DoseRule:
        """The template's dose rule; ValueError unless exactly one dose kind is set."""
        rule = DoseRule(
            mg=self.dose_mg,
            mg_per_kg=self.dose_mg_per_kg,
            max_mg=self.dose_max_mg,
            bands=bands_from_data(self.dose_bands),
        )
        kinds = [rule.mg is not None, rule.mg_per_kg is not None, bool(rule.bands)]
        if kinds.count(True) != 1:
            raise ValueError(
                "A regimen needs exactly one of a flat dose (mg), a dose per kg or weight bands."
            )
        dose_mg(rule, Decimal(70))  # checks every band and amount (any plausible weight)
        return rule
