"""OPPS Addendum B rates an organization imported (hospital outpatient departments)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chairside.core.models import BaseModel, OrgScopedModel


class OppsRateFile(OrgScopedModel):
    """One imported OPPS Addendum B CSV (or the demo sample in its layout, marked demo)."""

    filename = models.CharField(max_length=200)
    is_demo = models.BooleanField(
        default=False, help_text="Made-up figures for the demo, never CMS's rates."
    )
    row_count = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class OppsRateRow(BaseModel):
    file = models.ForeignKey(OppsRateFile, on_delete=models.CASCADE, related_name="rates")
    hcpcs = models.CharField(max_length=5)
    description = models.CharField(max_length=120, blank=True)
    status_indicator = models.CharField(max_length=2)
    apc = models.CharField("APC", max_length=5, blank=True)
    payment_rate = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["hcpcs"]
        constraints = [
            models.UniqueConstraint(fields=["file", "hcpcs"], name="uniq_opps_rate"),
        ]

    def __str__(self) -> str:
        return f"{self.hcpcs} {self.status_indicator} {self.payment_rate}"
