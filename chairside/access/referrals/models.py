"""Referring providers, referrals (with their documents and state history) and treatment orders.

``TreatmentOrder`` is the interface other modules build on (scheduling books its planned
doses, the visit prepares its dose, billing reads its diagnoses); its methods are stable:
``regimen()``, ``dose_rule()``, ``planned_dates()``, ``dose_for_weight()``, ``is_active_on()``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from chairside.core.models import BaseModel, OrgScopedModel
from chairside.formulary.order_sets import order_sets
from chairside.rules.access import referral_states
from chairside.rules.clinical.regimens import (
    DoseRule,
    Regimen,
    bands_from_data,
    describe_band,
    dose_dates,
    dose_mg,
    weight_band_index,
)

ORDER_VALID_MONTHS = 12


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day (Feb 29 → Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def default_expiry(signed_on: dt.date) -> dt.date:
    """Orders are valid for 12 months from signature unless the prescriber says otherwise."""
    return add_months(signed_on, ORDER_VALID_MONTHS)


class ReferringProvider(OrgScopedModel):
    """A prescriber who sends patients, inside the organization or at an outside practice."""

    class ReportBy(models.TextChoices):
        FAX = "fax", "Fax"
        EMAIL = "email", "Secure e-mail"
        PORTAL = "portal", "EHR / portal"
        MAIL = "mail", "Mail"

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    credential = models.CharField(max_length=12, blank=True, help_text="MD, DO, NP, PA …")
    specialty = models.CharField(max_length=80, blank=True)
    npi = models.CharField(
        "NPI", max_length=10, help_text="10 digits; the check digit is verified."
    )
    practice_name = models.CharField(max_length=160, blank=True)
    is_internal = models.BooleanField(
        "in our organization", default=False, help_text="A prescriber of this organization."
    )
    phone = models.CharField(max_length=30, blank=True)
    fax = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=250, blank=True)
    report_preference = models.CharField(
        "send treatment reports by", max_length=8, choices=ReportBy.choices, default=ReportBy.FAX
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "npi"], name="uniq_referring_npi"),
        ]

    def __str__(self) -> str:
        credential = f", {self.credential}" if self.credential else ""
        return f"{self.first_name} {self.last_name}{credential}"

    @property
    def display_with_practice(self) -> str:
        return f"{self} — {self.practice_name}" if self.practice_name else str(self)


class Referral(OrgScopedModel):
    STATE_CHOICES = list(referral_states.REFERRAL.labels.items())

    received_on = models.DateField()
    referring_provider = models.ForeignKey(
        ReferringProvider, on_delete=models.PROTECT, related_name="referrals"
    )
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text="Linked at intake; until then the name and birth date below are as received.",
    )
    patient_first_name = models.CharField(max_length=80, blank=True)
    patient_last_name = models.CharField(max_length=80, blank=True)
    patient_date_of_birth = models.DateField(null=True, blank=True)
    patient_phone = models.CharField(max_length=30, blank=True)
    requested_drug = models.ForeignKey(
        "formulary.Drug", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_drug_text = models.CharField(
        "requested drug (as written)", max_length=160, blank=True
    )
    diagnosis_code = models.CharField("ICD-10-CM code", max_length=8, blank=True)
    diagnosis_description = models.CharField(max_length=255, blank=True)
    clinical_notes = models.TextField(blank=True)
    labs_received = models.TextField(
        blank=True, help_text="Which labs came with the referral (TB, hepatitis B …)."
    )
    is_urgent = models.BooleanField(default=False)
    location = models.ForeignKey(
        "tenancy.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_to = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=20, choices=STATE_CHOICES, default=referral_states.RECEIVED)
    state_changed_on = models.DateField(default=timezone.localdate)
    closed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-is_urgent", "received_on", "id"]
        indexes = [
            models.Index(fields=["organization", "state", "received_on"], name="referral_queue"),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.patient_display} ({self.received_on:%m/%d/%Y})"

    @property
    def patient_display(self) -> str:
        if self.patient_id:
            return str(self.patient)
        return f"{self.patient_last_name}, {self.patient_first_name}".strip(", ") or "unnamed"

    @property
    def drug_display(self) -> str:
        return str(self.requested_drug) if self.requested_drug_id else self.requested_drug_text

    @property
    def state_label(self) -> str:
        return referral_states.REFERRAL.label(self.state)

    def next_states(self) -> list[tuple[str, str]]:
        return [
            (s, referral_states.REFERRAL.label(s))
            for s in referral_states.REFERRAL.next_states(self.state)
        ]


class ReferralStateChange(BaseModel):
    """One move of a referral; the history gives the days spent in each state."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    changed_on = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state} on {self.changed_on}"


def document_path(instance: Any, filename: str) -> str:
    """Stored under the organization, never under the patient's name; the name is random."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"documents/{instance.organization_public_id}/{uuid.uuid4().hex}.{suffix}"


class DocumentBase(BaseModel):
    """A PDF or image kept through Django's storage API and served only through a view."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral form / order"
        CLINICALS = "clinicals", "Clinical notes"
        LABS = "labs", "Lab results"
        INSURANCE = "insurance", "Insurance card"
        PAYER = "payer", "Payer letter / approval"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=160)
    file = models.FileField(upload_to=document_path, max_length=200)
    content_type = models.CharField(max_length=60)
    size_bytes = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ReferralDocument(DocumentBase):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="documents")

    class Meta(DocumentBase.Meta):
        pass

    @property
    def organization_public_id(self) -> uuid.UUID:
        return self.referral.organization.public_id


class TreatmentOrder(OrgScopedModel):
    """A signed order for a course of infusions of one drug for one patient.

    The regimen is copied from the formulary template (``regimen_template``) or entered by
    hand; the schedule counts from ``first_dose_on`` (``rules.clinical.regimens``). The dose rule is
    a flat ``dose_mg``, ``dose_mg_per_kg`` or the label's weight bands (``dose_bands``, e.g.
    IV ustekinumab 260/390/520 mg), capped at ``dose_max_mg``; when
    ``maintenance_dose_mg`` is set, dose number ``maintenance_dose_from`` and later use it
    (ocrelizumab: 300 mg on days 0 and 14, 600 mg from the third dose on day 182). The
    course ends after ``number_of_doses``, on ``end_on``, or when the order expires
    (``expires_on``, 12 months after signature by default), whichever comes first.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        DISCONTINUED = "discontinued", "Discontinued"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_orders"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    drug = models.ForeignKey("formulary.Drug", on_delete=models.PROTECT, related_name="+")
    regimen_template = models.ForeignKey(
        "formulary.RegimenTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for a custom regimen.",
    )
    regimen_name = models.CharField(max_length=160, blank=True)
    loading_days = models.JSONField(
        default=list, blank=True, help_text="Day offsets of the loading doses from the first dose."
    )
    maintenance_interval_days = models.PositiveIntegerField(null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    dose_mg_per_kg = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    dose_max_mg = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    # Weight bands copied from the formulary template (rules.regimens.WeightBand rows).
    dose_bands = models.JSONField(null=True, blank=True)
    maintenance_dose_mg = models.DecimalField(
        max_digits=10, decimal_places=3, null=True, blank=True
    )
    maintenance_dose_from = models.PositiveSmallIntegerField(
        "maintenance dose from dose number",
        null=True,
        blank=True,
        help_text="Ocrevus: 600 mg from the 3rd infusion (day 182) on.",
    )
    route = models.CharField(max_length=8, default="IV")
    first_dose_on = models.DateField(
        null=True, blank=True, help_text="Planned (or actual) date of the first dose."
    )
    number_of_doses = models.PositiveSmallIntegerField(null=True, blank=True)
    end_on = models.DateField(null=True, blank=True)
    premedications = models.TextField(blank=True)
    # Order sets (issue 21 item 8; rules.order_sets, formulary/data/order_sets.json): the
    # premedication set the order includes, and whether the anaphylaxis protocol is ordered.
    premedication_set = models.CharField(max_length=40, blank=True)
    hypersensitivity_protocol = models.BooleanField(
        "hypersensitivity (anaphylaxis) protocol", default=False
    )
    observation_minutes = models.PositiveSmallIntegerField(
        "observation after the infusion (minutes)",
        null=True,
        blank=True,
        help_text="Empty: what the label requires. A longer time here is added to each booking.",
    )
    ordering_provider = models.ForeignKey(
        ReferringProvider, on_delete=models.PROTECT, related_name="orders"
    )
    signed_on = models.DateField()
    expires_on = models.DateField()
    weight_kg_at_order = models.DecimalField(
        "weight the dose was ordered at (kg)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("400"))],
    )
    diagnoses = models.ManyToManyField("patients.Diagnosis", blank=True, related_name="+")
    location = models.ForeignKey(
        "tenancy.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_to = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    # Who typed the order in (often a coordinator, from the referral's faxed paperwork) and
    # the center's provider (``order.sign``) who signed it. Unsigned, the order is a draft
    # awaiting signature: it cannot be booked, prepared or given. A change to its drug,
    # dose, regimen, diagnoses or labs by someone who cannot sign voids the signature.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signature_voided_at = models.DateTimeField(null=True, blank=True)
    signature_voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signature_void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "expires_on"], name="order_expiry"),
            models.Index(fields=["patient", "status"], name="order_patient_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    dose_mg__isnull=True, dose_mg_per_kg__isnull=False, dose_bands__isnull=True
                )
                | Q(dose_mg__isnull=False, dose_mg_per_kg__isnull=True, dose_bands__isnull=True)
                | Q(dose_mg__isnull=True, dose_mg_per_kg__isnull=True, dose_bands__isnull=False),
                name="order_one_dose_kind_or_bands",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gte=F("signed_on")), name="order_expires_after_signed"
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True)
                | Q(first_dose_on__isnull=True)
                | Q(end_on__gte=F("first_dose_on")),
                name="order_end_after_first_dose",
            ),
            models.CheckConstraint(
                condition=Q(number_of_doses__isnull=True) | Q(number_of_doses__gte=1),
                name="order_doses_at_least_one",
            ),
        ]

    @property
    def premedication_order_set(self) -> Any:
        """The ``rules.clinical.order_sets.OrderSet`` of ``premedication_set`` (None when none)."""

        return order_sets().premedication_set(self.premedication_set)

    @property
    def ordered_protocol(self) -> Any:
        """The anaphylaxis protocol when the order includes it, else None."""

        return order_sets().protocol if self.hypersensitivity_protocol else None

    def __str__(self) -> str:
        return f"{self.drug.generic_name} for {self.patient}"

    # --- the stable interface -------------------------------------------------------------

    def regimen(self) -> Regimen:
        """The schedule as ``rules.clinical.regimens.Regimen`` (offsets from the first dose)."""
        return Regimen(
            loading_days=tuple(int(d) for d in self.loading_days or ()),
            maintenance_interval_days=self.maintenance_interval_days,
        )

    def dose_rule(self, dose_number: int = 1) -> DoseRule:
        """The rule for dose ``dose_number`` (1-based); the maintenance dose from its dose on."""
        if (
            self.maintenance_dose_mg is not None
            and self.maintenance_dose_from is not None
            and dose_number >= self.maintenance_dose_from
        ):
            return DoseRule(mg=self.maintenance_dose_mg)
        return DoseRule(
            mg=self.dose_mg,
            mg_per_kg=self.dose_mg_per_kg,
            max_mg=self.dose_max_mg,
            bands=bands_from_data(self.dose_bands),
        )

    @property
    def is_weight_based(self) -> bool:
        """Per kg or by weight band: the dose depends on the weight it was worked out at."""
        return self.dose_mg_per_kg is not None or bool(self.dose_bands)

    def band_rows(self) -> list[tuple[str, Decimal]]:
        """The weight bands as the label's table reads: ``[("≤55 kg", 260), ...]``."""
        bands = bands_from_data(self.dose_bands)
        return [(describe_band(bands, i), band.mg) for i, band in enumerate(bands)]

    def band_changes(self, weight_kg: Decimal | None, dose_number: int = 1) -> bool:
        """Whether ``weight_kg`` falls in another weight band than the order's weight.

        False for an order without bands, or when either weight is unknown.
        """
        rule = self.dose_rule(dose_number)
        if not rule.bands or weight_kg is None or self.weight_kg_at_order is None:
            return False
        ordered = weight_band_index(rule, Decimal(self.weight_kg_at_order))
        return ordered != weight_band_index(rule, Decimal(weight_kg))

    def dose_for_weight(self, weight_kg: Decimal | None = None, dose_number: int = 1) -> Decimal:
        """Dose in mg for a weight (default: the weight it was ordered at). ValueError if none."""
        weight = weight_kg if weight_kg is not None else self.weight_kg_at_order
        rule = self.dose_rule(dose_number)
        if weight is None:
            if rule.mg_per_kg is not None:
                raise ValueError("This dose is per kg: record the patient's weight first.")
            if rule.bands:
                raise ValueError("This dose is by weight band: record the patient's weight first.")
            weight = Decimal(1)  # a flat dose does not depend on weight
        return dose_mg(rule, Decimal(weight))

    def last_day(self) -> dt.date:
        """The last day a dose may be given under this order (end date or expiry)."""
        return min(d for d in (self.end_on, self.expires_on) if d is not None)

    def planned_dates(self, count: int | None = None) -> list[dt.date]:
        """Dose dates from the first dose, within the order's doses, end date and expiry.

        ``count`` caps the list (the first ``count`` doses); without it, every planned dose
        of the order (an open-ended maintenance regimen stops at the end date or expiry).
        Empty until ``first_dose_on`` is set.
        """
        if self.first_dose_on is None:
            return []
        regimen, last = self.regimen(), self.last_day()
        limit = self.number_of_doses
        if regimen.maintenance_interval_days is None:
            fixed = len(regimen.loading_days) or 1
            limit = min(limit or fixed, fixed)
        wanted = min(x for x in (count, limit, 400) if x is not None)
        return [d for d in dose_dates(regimen, self.first_dose_on, wanted) if d <= last]

    @property
    def is_signed(self) -> bool:
        """Signed in Chairside by a provider holding ``order.sign`` (and not voided since)."""
        return self.signed_at is not None

    def signature_problem(self) -> str | None:
        """Why the order may not be booked, prepared or given for want of a signature."""
        if self.is_signed:
            return None
        if self.signature_voided_at is not None:
            voided = timezone.localtime(self.signature_voided_at)
            what = f" ({self.signature_void_reason})" if self.signature_void_reason else ""
            return (
                f"The order was changed after it was signed{what} and its signature was voided "
                f"{voided:%m/%d/%Y %H:%M}: a physician or NP must sign it again"
            )
        return "The order awaits a physician's or NP's signature"

    def is_active_on(self, day: dt.date) -> bool:
        """Whether a dose may be given on ``day``: active, signed, not expired, not ended."""
        return (
            self.status == self.Status.ACTIVE
            and self.is_signed
            and self.signed_on <= day <= self.expires_on
            and (self.end_on is None or day <= self.end_on)
        )

    @property
    def units_per_dose_hint(self) -> int | None:
        """HCPCS billing units of the ordered dose at the order weight, rounded up."""
        try:
            dose = self.dose_for_weight()
        except ValueError:
            return None
        units = dose / self.drug.billing_unit_mg
        return int(units.to_integral_value(rounding=ROUND_CEILING))


class OrderLab(BaseModel):
    """A lab the order requires before infusions, and how often (copied from the formulary)."""

    order = models.ForeignKey(
        TreatmentOrder, on_delete=models.CASCADE, related_name="required_labs"
    )
    name = models.CharField(max_length=160, help_text="Matches the lab name on lab results.")
    code = models.CharField(
        max_length=20,
        blank=True,
        help_text="Key in the coded lab list (rules.lab_codes); empty: uncoded, matched by name.",
    )
    every_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Repeat interval; empty means once before starting."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["order", "name"], name="uniq_order_lab"),
        ]

    def __str__(self) -> str:
        return self.name
