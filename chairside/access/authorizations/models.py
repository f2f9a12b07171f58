"""Benefits investigations, prior authorizations, their usage, and audited overrides.

Usage of an authorization is counted from ``AuthorizationUsage`` rows: a booking reserves
(``kind=reserved``), a documented treatment consumes (``kind=consumed``), a cancellation
releases. Scheduling and the visit module call the services in ``services.py``; see
``authorization_check`` for the booking rule.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from chairside.access.referrals.models import DocumentBase
from chairside.core.models import BaseModel, OrgScopedModel
from chairside.rules.access import authorization_states


def _money(verbose_name: str | None = None, **kwargs: Any) -> Any:
    """An amount of dollars and cents, never negative."""
    return models.DecimalField(
        verbose_name,
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        **kwargs,
    )


class BenefitsInvestigation(OrgScopedModel):
    """What one coverage pays for one order: verified with the payer, by whom and when."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"

    class AcquisitionPath(models.TextChoices):
        BUY_AND_BILL = "buy_and_bill", "Buy and bill (the center buys and bills the drug)"
        WHITE_BAG = "white_bag", "White bagging (specialty pharmacy ships it for this patient)"

    class PaRequired(models.TextChoices):
        UNKNOWN = "unknown", "Not yet known"
        YES = "yes", "Required"
        NO = "no", "Not required"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="benefits_investigations"
    )
    order = models.ForeignKey(
        "referrals.TreatmentOrder", on_delete=models.PROTECT, related_name="benefits"
    )
    coverage = models.ForeignKey("patients.Coverage", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coverage_active = models.BooleanField("coverage active", null=True, blank=True)
    acquisition_path = models.CharField(
        max_length=16, choices=AcquisitionPath.choices, default=AcquisitionPath.BUY_AND_BILL
    )
    specialty_pharmacy = models.CharField(max_length=160, blank=True)
    plan_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year the deductible and out-of-pocket met refer to."
    )
    deductible = _money(default=Decimal(0))
    deductible_met = _money(default=Decimal(0))
    out_of_pocket_max = _money(null=True, blank=True)
    out_of_pocket_met = _money(default=Decimal(0))
    coinsurance_percent = models.DecimalField(
        "coinsurance (patient %)",
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    copay = _money("copay per visit", default=Decimal(0))
    covers_primary_deductible = models.BooleanField(
        default=True,
        help_text="As secondary coverage: pays what the primary left as deductible "
        "(Medigap C and F do; G does not).",
    )
    qualified_medicare_beneficiary = models.BooleanField(
        "Qualified Medicare Beneficiary (QMB)",
        default=False,
        help_text="The patient is in the QMB program: no Medicare deductible or coinsurance may "
        "be billed to them (Social Security Act §1902(n)(3)(B)).",
    )
    pa_required = models.CharField(
        "prior authorization", max_length=8, choices=PaRequired.choices, default=PaRequired.UNKNOWN
    )
    allowed_per_unit = models.DecimalField(
        "expected allowed amount per billing unit",
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Medicare: the ASP payment limit. Empty: the formulary's (demo) price.",
    )
    other_allowed_per_visit = _money(
        "other services per visit (administration)", default=Decimal(0)
    )
    reference_number = models.CharField("payer call reference", max_length=60, blank=True)
    notes = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "coverage"], name="uniq_benefits_per_coverage"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="benefits_queue")]

    def __str__(self) -> str:
        return f"Benefits: {self.coverage.payer} for {self.order}"


class PriorAuthorization(OrgScopedModel):
    STATUS_CHOICES = list(authorization_states.AUTHORIZATION.labels.items())

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="prior_authorizations"
    )
    order = models.ForeignKey(
        "referrals.TreatmentOrder", on_delete=models.PROTECT, related_name="authorizations"
    )
    coverage = models.ForeignKey("patients.Coverage", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=STATUS_CHOICES, default=authorization_states.TO_SUBMIT
    )
    status_changed_on = models.DateField(default=timezone.localdate)
    authorization_number = models.CharField(max_length=60, blank=True)
    hcpcs = models.CharField("authorized HCPCS code", max_length=5, blank=True)
    units_authorized = models.PositiveIntegerField(
        "units authorized", null=True, blank=True, help_text="HCPCS billing units."
    )
    visits_authorized = models.PositiveIntegerField(null=True, blank=True)
    start_on = models.DateField(null=True, blank=True)
    end_on = models.DateField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    denial_reason = models.TextField(blank=True)
    appeal_deadline = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        "tenancy.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_on", "-created_at"]
        indexes = [
            models.Index(fields=["organization", "status", "end_on"], name="auth_queue"),
            models.Index(fields=["order", "status"], name="auth_order_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True)
                | Q(start_on__isnull=True)
                | Q(end_on__gte=F("start_on")),
                name="auth_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(units_authorized__isnull=True) | Q(units_authorized__gte=1),
                name="auth_units_positive",
            ),
            models.CheckConstraint(
                condition=Q(visits_authorized__isnull=True) | Q(visits_authorized__gte=1),
                name="auth_visits_positive",
            ),
        ]

    def __str__(self) -> str:
        number = self.authorization_number or "no number yet"
        return f"Authorization {number} ({self.order.drug.generic_name})"

    @property
    def status_label(self) -> str:
        return authorization_states.AUTHORIZATION.label(self.status)

    def next_states(self) -> list[tuple[str, str]]:
        machine = authorization_states.AUTHORIZATION
        return [(s, machine.label(s)) for s in machine.next_states(self.status)]


class AuthorizationStatusChange(BaseModel):
    authorization = models.ForeignKey(
        PriorAuthorization, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    changed_on = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} on {self.changed_on}"

    @property
    def to_label(self) -> str:
        return authorization_states.AUTHORIZATION.label(self.to_status)


class AuthorizationDocument(DocumentBase):
    authorization = models.ForeignKey(
        PriorAuthorization, on_delete=models.CASCADE, related_name="documents"
    )

    class Meta(DocumentBase.Meta):
        pass

    @property
    def organization_public_id(self) -> uuid.UUID:
        return self.authorization.organization.public_id


class AuthorizationOverride(OrgScopedModel):
    """A booking allowed without a valid authorization: who, why, and what was missing."""

    order = models.ForeignKey(
        "referrals.TreatmentOrder", on_delete=models.PROTECT, related_name="authorization_overrides"
    )
    on_date = models.DateField()
    reason = models.TextField()
    missing = models.CharField(max_length=255, help_text="What the check said was missing.")
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Override on {self.on_date:%m/%d/%Y}: {self.missing}"


class AuthorizationUsage(BaseModel):
    """Units and one visit taken from an order's authorization by a booking or a treatment.

    ``source_type``/``source_id`` name what took it (``"scheduling.appointment"`` and the
    appointment's public id). A released row no longer counts.
    """

    class Kind(models.TextChoices):
        RESERVED = "reserved", "Reserved by a booking"
        CONSUMED = "consumed", "Used by a documented treatment"

    order = models.ForeignKey(
        "referrals.TreatmentOrder", on_delete=models.PROTECT, related_name="authorization_usage"
    )
    authorization = models.ForeignKey(
        PriorAuthorization, null=True, blank=True, on_delete=models.PROTECT, related_name="usage"
    )
    override = models.ForeignKey(
        AuthorizationOverride, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_date = models.DateField()
    units = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RESERVED)
    source_type = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)
    released_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["on_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=Q(released_at__isnull=True),
                name="uniq_live_usage_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["authorization", "released_at"], name="usage_by_authorization"),
            models.Index(fields=["order", "kind", "released_at"], name="usage_by_order"),
        ]

    def __str__(self) -> str:
        return f"{self.units} units on {self.on_date} ({self.kind})"


class AssistanceProgram(OrgScopedModel):
    """A manufacturer copay program, a charitable foundation fund or a free-drug program
    (kinds and who may use them: ``rules.access.assistance``)."""

    class Kind(models.TextChoices):
        COPAY = "copay", "Manufacturer copay program"
        FOUNDATION = "foundation", "Charitable foundation grant"
        FREE_DRUG = "free_drug", "Free-drug (replacement) program"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    sponsor = models.CharField(max_length=120, blank=True, help_text="Manufacturer or foundation.")
    drug = models.ForeignKey(
        "formulary.Drug",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for a fund that covers several drugs (e.g. a disease fund).",
    )
    phone = models.CharField(max_length=30, blank=True)
    claims_address = models.CharField(
        max_length=200, blank=True, help_text="Where claims go: portal, fax or address."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_assistance_program")
        ]

    def __str__(self) -> str:
        return self.name


class AssistanceEnrollment(OrgScopedModel):
    """One patient's enrolment in a program for a drug: its dates, cap and what is left."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assistance_enrollments"
    )
    program = models.ForeignKey(
        AssistanceProgram, on_delete=models.PROTECT, related_name="enrollments"
    )
    drug = models.ForeignKey("formulary.Drug", on_delete=models.PROTECT, related_name="+")
    member_id = models.CharField(
        "member / grant ID", max_length=60, help_text="Card number or grant number."
    )
    card_details = models.CharField(
        "BIN / PCN / group", max_length=120, blank=True, help_text="As printed on the card."
    )
    enrolled_on = models.DateField()
    expires_on = models.DateField()
    annual_cap = _money(
        "annual maximum", null=True, blank=True, help_text="Empty when the program states none."
    )
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    notes = models.CharField(max_length=300, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-enrolled_on"]
        indexes = [models.Index(fields=["patient", "drug"], name="assist_patient_drug")]

    def __str__(self) -> str:
        return f"{self.program} · {self.member_id}"

    def is_active_on(self, day: Any) -> bool:
        ends = self.ended_on or self.expires_on
        return self.enrolled_on <= day <= ends and (self.ended_on is None or day < self.ended_on)
