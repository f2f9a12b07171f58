"""Planner scenarios, and the fee a managed practice owes its management company."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from chairside.core.models import BaseModel, OrgScopedModel


class PlanScenario(OrgScopedModel):
    """A named set of planner inputs; results are computed from them, the simulation stored."""

    name = models.CharField(max_length=120)
    notes = models.TextField(blank=True)
    inputs = models.JSONField(default=dict)
    simulation = models.JSONField(default=dict, blank=True)
    simulated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_scenario_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ManagementFeeTerms(BaseModel):
    """What a managed practice pays its infusion management company.

    Set by the management company for each client organization (``managed_by``): a fee per
    treatment, or a share of collections.
    """

    class Basis(models.TextChoices):
        PER_TREATMENT = "per_treatment", "Per treatment"
        SHARE_OF_COLLECTIONS = "share_of_collections", "Share of collections"

    client = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="management_fee_terms"
    )
    basis = models.CharField(max_length=24, choices=Basis.choices)
    fee_per_treatment = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    share_of_collections_percent = models.DecimalField(
        "share of collections (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    effective_from = models.DateField()

    class Meta:
        verbose_name_plural = "management fee terms"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_of_collections_percent__gte=0)
                & models.Q(share_of_collections_percent__lte=100),
                name="fee_share_between_0_and_100",
            ),
            models.CheckConstraint(
                condition=models.Q(fee_per_treatment__gte=0), name="fee_per_treatment_not_negative"
            ),
        ]

    def __str__(self) -> str:
        if self.basis == self.Basis.PER_TREATMENT:
            return f"${self.fee_per_treatment} per treatment"
        return f"{self.share_of_collections_percent}% of collections"

    def clean(self) -> None:
        if self.basis == self.Basis.PER_TREATMENT and not self.fee_per_treatment:
            raise ValidationError({"fee_per_treatment": "Enter the fee charged per treatment."})
        if self.basis == self.Basis.SHARE_OF_COLLECTIONS and not self.share_of_collections_percent:
            raise ValidationError(
                {"share_of_collections_percent": "Enter the share of collections, in percent."}
            )
