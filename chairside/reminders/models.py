"""What was sent to whom (one record per appointment and kind) and what patients asked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from chairside.core.models import OrgScopedModel


class SentReminder(OrgScopedModel):
    """A reminder of one kind (``"72h"``, ``"24h"``) for one appointment, sent or skipped.

    The unique triple (appointment, kind, announced start) is what makes sending idempotent:
    a second run (or a second worker) cannot record the same reminder again, so it never
    sends it again; a booking moved to another time is a new announcement.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "Text message"
        NONE = "none", "Not sent"

    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=8)
    # The start the reminder announced: an appointment moved afterwards is reminded again.
    appointment_start = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    sent_at = models.DateTimeField()
    skipped_reason = models.CharField(max_length=120, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "appointment_start"],
                name="uniq_reminder_kind_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder ({self.get_channel_display()})"


class RescheduleRequest(OrgScopedModel):
    """The patient asked (through the reminder's link) to move an appointment."""

    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.CASCADE, related_name="reschedule_requests"
    )
    requested_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(handled_at__isnull=True),
                name="uniq_open_reschedule_request",
            ),
        ]
        indexes = [models.Index(fields=["organization", "handled_at"], name="reschedule_queue")]

    def __str__(self) -> str:
        return f"Reschedule request for {self.appointment}"
