"""Claims: one per encounter per payer (primary, then secondary), their lines and history,
and the 837P files they were sent in."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from chairside.billing.hints import with_hints
from chairside.core.models import BaseModel, OrgScopedModel
from chairside.rules.billing import claim_states as states

CLAIM_FORM_CHOICES = [
    ("837P", "Professional (837P / CMS-1500)"),
    ("837I", "Institutional (837I / UB-04)"),
]


class ClaimExport(OrgScopedModel):
    """One claim file (837P or 837I): its interchange control number and the exact text sent."""

    claim_form = models.CharField(max_length=4, choices=CLAIM_FORM_CHOICES, default="837P")
    control_number = models.PositiveIntegerField()
    content = models.TextField()
    claim_count = models.PositiveIntegerField()
    total_charge = models.DecimalField(max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "control_number"], name="uniq_export_control_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_form} #{self.control_number}"

    @property
    def filename(self) -> str:
        return f"{self.claim_form}-{self.control_number:09d}.x12"


class Claim(OrgScopedModel):
    STATE_CHOICES = list(states.CLAIM.labels.items())

    class Sequence(models.IntegerChoices):
        PRIMARY = 1, "Primary"
        SECONDARY = 2, "Secondary"
        TERTIARY = 3, "Tertiary"

    encounter = models.ForeignKey(
        "billing.Encounter", on_delete=models.PROTECT, related_name="claims"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey("patients.Payer", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveSmallIntegerField(choices=Sequence.choices, default=1)
    claim_form = models.CharField(
        max_length=4,
        choices=CLAIM_FORM_CHOICES,
        default="837P",
        help_text="Set when the claim is built, from the visit's site (rules.hospital_outpatient).",
    )
    control_number = models.CharField("claim number", max_length=20)
    state = models.CharField(max_length=16, choices=STATE_CHOICES, default=states.DRAFT)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    frequency_code = models.CharField(max_length=1, default="1")
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    superseded = models.BooleanField(default=False)
    payer_claim_number = models.CharField(max_length=50, blank=True)
    member_id = models.CharField(max_length=40, blank=True)
    total_charge = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    expected_payer = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    expected_patient = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    paid = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    adjusted = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    patient_responsibility = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0)
    )
    crossed_over_on = models.DateField(
        null=True,
        blank=True,
        help_text="Medicare forwarded the claim to the supplemental payer (835 CLP02 19 / MA18).",
    )
    via_crossover = models.BooleanField(
        default=False,
        help_text="A secondary claim Medicare crossed over: never sent by the center.",
    )
    mue_override_note = models.TextField(
        "MUE override note",
        blank=True,
        help_text="Why units above the CMS medically unlikely edit are billed (medical necessity).",
    )
    problems = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    exports = models.ManyToManyField(ClaimExport, blank=True, related_name="claims")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "control_number"], name="uniq_claim_number"
            ),
            models.UniqueConstraint(
                fields=["encounter", "sequence"],
                condition=Q(superseded=False),
                name="uniq_live_claim_per_payer_sequence",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "state"], name="claim_queue"),
        ]

    def __str__(self) -> str:
        return f"Claim {self.control_number}"

    def get_absolute_url(self) -> str:
        return reverse("billing:claim", kwargs={"public_id": self.public_id})

    @property
    def state_label(self) -> str:
        return states.CLAIM.label(self.state)

    @property
    def balance(self) -> Decimal:
        """Charges not yet paid, adjusted or moved to the patient."""
        return self.total_charge - self.paid - self.adjusted - self.patient_responsibility

    @property
    def is_editable(self) -> bool:
        return self.state in states.EDITABLE

    @property
    def problems_with_hints(self) -> list[dict[str, str]]:
        """The check's findings, each with where a biller fixes it."""

        return with_hints(list(self.problems or []))

    @property
    def is_institutional(self) -> bool:
        return self.claim_form == "837I"

    @property
    def is_sent(self) -> bool:
        """Whether the claim has gone to the payer (its lines may be awaiting payment)."""
        return self.state not in {states.DRAFT, states.READY}


class ClaimItem(BaseModel):
    """A charge line on a claim, with what the payer is expected to pay and did pay."""

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting payment"
        PAID = "paid", "Paid"
        PATIENT = "patient", "Patient responsibility"
        DENIED = "denied", "Denied"
        PACKAGED = "packaged", "Packaged (OPPS: paid with another line)"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="items")
    line = models.ForeignKey(
        "billing.ChargeLine", on_delete=models.PROTECT, related_name="claim_items"
    )
    line_number = models.PositiveSmallIntegerField()
    control_number = models.CharField("line item control number", max_length=30)
    revenue_code = models.CharField(
        max_length=4, blank=True, help_text="UB-04 revenue code (institutional claims only)."
    )
    charge = models.DecimalField(max_digits=12, decimal_places=2)
    expected_allowed = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    expected_payer = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    expected_patient = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    paid = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    adjusted = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    patient_responsibility = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0)
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["claim", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "line_number"], name="uniq_claim_item_number"),
        ]

    def __str__(self) -> str:
        return f"{self.claim} line {self.line_number}"


class ClaimStateChange(BaseModel):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"

    @property
    def to_label(self) -> str:
        return states.CLAIM.label(self.to_state)
