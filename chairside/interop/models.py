"""Interface messages (HL7 v2 in and out) and CSV imports, kept for the coordinator's page."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chairside.core.models import OrgScopedModel


class InterfaceSettings(OrgScopedModel):
    """How this organization's interfaces are set up (one row per organization)."""

    facility_name = models.CharField(
        "our facility name in HL7 messages",
        max_length=60,
        blank=True,
        help_text="MSH-4 of the messages Chairside sends (and MSH-3 of its ACKs' receivers).",
    )
    siu_feed_enabled = models.BooleanField(
        "send appointments to the EHR (SIU)",
        default=False,
        help_text="Queue an SIU message for every booking, move, cancellation and no-show.",
    )
    receiving_application = models.CharField(max_length=60, blank=True)
    receiving_facility = models.CharField(max_length=60, blank=True)
    service_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The identity the audit trail names for changes made by the interface.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="uniq_interface_settings"),
        ]
        verbose_name_plural = "interface settings"

    def __str__(self) -> str:
        return f"Interfaces of {self.organization}"


class InterfaceMessage(OrgScopedModel):
    class Direction(models.TextChoices):
        INBOUND = "in", "Received"
        OUTBOUND = "out", "Sent"

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted (AA)"
        ERROR = "error", "Error (AE): fix and reprocess"
        REJECTED = "rejected", "Rejected (AR)"
        QUEUED = "queued", "Waiting to be collected"
        DOWNLOADED = "downloaded", "Collected"

    direction = models.CharField(max_length=3, choices=Direction.choices)
    message_type = models.CharField(max_length=20, blank=True)  # "ADT^A04", "SIU^S12"
    control_id = models.CharField(max_length=60, blank=True)
    sending_application = models.CharField(max_length=60, blank=True)
    sending_facility = models.CharField(max_length=60, blank=True)
    raw = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices)
    ack_code = models.CharField(max_length=2, blank=True)
    ack = models.TextField(blank=True)
    error = models.TextField(blank=True)
    error_location = models.CharField(max_length=20, blank=True)
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "direction", "status", "-created_at"],
                name="interface_msg_page",
            ),
            models.Index(
                fields=["organization", "sending_application", "control_id"],
                name="interface_msg_control",
            ),
        ]

    def __str__(self) -> str:
        kind = self.message_type or "message"
        return f"{kind} {self.control_id}".strip()

    @property
    def can_reprocess(self) -> bool:
        return self.direction == self.Direction.INBOUND and self.status == self.Status.ERROR


class CsvImport(OrgScopedModel):
    """An uploaded CSV file: checked (dry run) first, imported all at once or not at all."""

    class Kind(models.TextChoices):
        PROVIDERS = "providers", "Referring providers"
        PATIENTS = "patients", "Patients"
        COVERAGES = "coverages", "Coverages"
        ORDERS = "orders", "Treatment orders"
        APPOINTMENTS = "appointments", "Appointments"

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked, not imported"
        PROBLEMS = "problems", "Has problems"
        IMPORTED = "imported", "Imported"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    filename = models.CharField(max_length=200)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices)
    row_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.filename}"


class EligibilityExchange(OrgScopedModel):
    """One X12 270 eligibility inquiry about one benefits check's coverage, and its 271.

    The 271 is read into a proposal (``proposed``) that changes nothing until a coordinator
    confirms it; ``changes`` lists how it differs from the benefits on file (each with its
    kind and whether it blocks treatment) and is what the readiness board and the access
    queue show until the exchange is confirmed or dismissed.
    """

    class Status(models.TextChoices):
        SENT = "sent", "Sent, waiting for the payer's answer"
        ANSWERED = "answered", "Answered: review and confirm"
        REJECTED = "rejected", "Rejected by the payer"
        FAILED = "failed", "Failed: nothing was changed"
        CONFIRMED = "confirmed", "Confirmed into the benefits"
        DISMISSED = "dismissed", "Reviewed, benefits kept"

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Checked by a coordinator"
        AUTOMATIC = "automatic", "Re-checked before an appointment"

    benefits = models.ForeignKey(
        "authorizations.BenefitsInvestigation", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    coverage = models.ForeignKey("patients.Coverage", on_delete=models.PROTECT, related_name="+")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    trace_number = models.CharField(max_length=50)
    service_types = models.CharField(max_length=40, blank=True)
    asked_for = models.DateField(help_text="The date the inquiry asked about (DTP*291).")
    request_text = models.TextField(blank=True)
    response_text = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    proposed = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="eligibility_status"),
            models.Index(fields=["benefits", "-created_at"], name="eligibility_by_benefits"),
        ]

    def __str__(self) -> str:
        return f"Eligibility 270/271 {self.trace_number}"

    @property
    def open_changes(self) -> list[dict[str, object]]:
        """The differences to show as a finding: flagged ones of an unreviewed answer."""
        if self.status not in (self.Status.ANSWERED, self.Status.REJECTED):
            return []
        return [c for c in self.changes if c.get("kind")]

    @property
    def can_confirm(self) -> bool:
        return self.status == self.Status.ANSWERED and bool(self.proposed)

    @property
    def can_dismiss(self) -> bool:
        return self.status in (self.Status.ANSWERED, self.Status.REJECTED)


class PriorAuthExchange(OrgScopedModel):
    """An X12 278 prepared for an authorization (the request) or read and confirmed for it
    (the payer's response): the text as sent or received, who and when."""

    class Direction(models.TextChoices):
        REQUEST = "request", "278 request prepared"
        RESPONSE = "response", "278 response confirmed"

    authorization = models.ForeignKey(
        "authorizations.PriorAuthorization", on_delete=models.PROTECT, related_name="+"
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    control_number = models.PositiveIntegerField()
    reference = models.CharField("BHT03 reference", max_length=50)
    content = models.TextField()
    action_code = models.CharField("HCR01 action code", max_length=2, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["authorization", "direction"], name="pa_exchange_by_auth")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "direction", "control_number"],
                name="uniq_pa_exchange_control",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.reference}"
