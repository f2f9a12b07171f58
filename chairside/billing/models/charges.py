"""Encounters and their charge lines: what the rules derived from a documented visit.

An ``Encounter`` keeps the exact ``EncounterFacts`` (as JSON) each derivation used. Lines are
never typed and never edited: a corrected visit derives a new version (the old lines are
kept, superseded), and a line already billed is only changed by a ``LineAdjustment`` that
says why.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from chairside.core.models import OrgScopedModel
from chairside.rules.billing.charges import EncounterFacts, facts_from_dict


class Encounter(OrgScopedModel):
    """One documented visit as billing sees it."""

    class Source(models.TextChoices):
        VISIT = "visit", "Signed visit"
        DEMO = "demo", "Demo (from the schedule or orders)"
        HOME = "home", "Home infusion month (deliveries and home visits)"
        OTHER = "other", "Other"

    encounter_ref = models.CharField(
        "visit", max_length=64, help_text="The visit's public ID (or the demo source's key)."
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.VISIT)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="billing_encounters"
    )
    location = models.ForeignKey(
        "tenancy.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_of_service = models.DateField()
    facts = models.JSONField(help_text="The EncounterFacts of the latest derivation.")
    version = models.PositiveIntegerField(default=1)
    derived_at = models.DateTimeField()
    derived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    needs_review = models.BooleanField(default=False)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-date_of_service", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "encounter_ref"], name="uniq_encounter_ref"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "date_of_service"], name="encounter_dos"),
            models.Index(fields=["organization", "needs_review"], name="encounter_review"),
        ]

    def __str__(self) -> str:
        return f"Visit {self.date_of_service:%m/%d/%Y} · {self.patient}"

    def encounter_facts(self) -> EncounterFacts:
        return facts_from_dict(self.facts)

    @property
    def current_lines(self) -> Any:
        return self.lines.filter(status=ChargeLine.Status.CURRENT)


class ChargeLine(OrgScopedModel):
    """One derived claim line (``rules.billing.charges.ClaimLine``) with the center's charge."""

    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        SUPERSEDED = "superseded", "Superseded by a corrected visit"
        CORRECTION = "correction", "Corrected after billing (awaiting review)"

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", "Administration"
        DRUG = "drug", "Drug"

    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="lines")
    version = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    code = models.CharField(max_length=5)
    modifiers = models.CharField(max_length=11, blank=True)
    units = models.PositiveIntegerField()
    diagnosis_pointers = models.CharField(max_length=11, blank=True)
    place_of_service = models.CharField(max_length=2)
    date_of_service = models.DateField()
    description = models.CharField(max_length=160)
    drug_key = models.CharField(max_length=60, blank=True)
    ndc = models.CharField("N4 drug identification", max_length=40, blank=True)
    ndc11 = models.CharField(max_length=11, blank=True)
    ndc_unit = models.CharField(max_length=2, blank=True)
    ndc_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    charge = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Charge master price × units; empty if unpriced.",
    )

    class Meta:
        ordering = ["encounter", "version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["encounter", "version", "position"], name="uniq_charge_line_position"
            ),
            models.CheckConstraint(condition=Q(units__gte=1), name="charge_line_units_positive"),
        ]

    def __str__(self) -> str:
        mods = f"-{self.modifiers.replace(' ', '-')}" if self.modifiers else ""
        return f"{self.code}{mods} × {self.units}"

    @property
    def modifier_list(self) -> tuple[str, ...]:
        return tuple(self.modifiers.split())

    @property
    def pointer_list(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.diagnosis_pointers.split(",") if p)

    @property
    def adjusted_charge(self) -> Decimal | None:
        if self.charge is None:
            return None
        return self.charge + sum((a.amount for a in self.adjustments.all()), Decimal(0))

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Lines are derived, never edited: only the status of an existing line may change.
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and (update_fields is None or set(update_fields) - {"status"}):
            raise TypeError("Charge lines are derived, never edited; adjust them with a reason.")
        super().save(*args, **kwargs)


class LineAdjustment(OrgScopedModel):
    """A change to a line's charge after billing, with the reason (never an edit)."""

    line = models.ForeignKey(ChargeLine, on_delete=models.PROTECT, related_name="adjustments")
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Signed: negative lowers the charge."
    )
    reason = models.TextField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="line_adjustment_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+} on {self.line}"
