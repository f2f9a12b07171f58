"""The treatment report to the referring physician, and its delivery."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models

from chairside.core.models import OrgScopedModel
from chairside.treatments.models.visit import Visit

DELIVERY_DEADLINE = dt.timedelta(hours=24)


def report_path(instance: Any, filename: str) -> str:
    """Stored under the organization with a random name: never the patient's name."""
    return f"reports/{instance.organization.public_id}/{uuid.uuid4().hex}.pdf"


class VisitReport(OrgScopedModel):
    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        FAX = "fax", "Fax"
        PORTAL = "portal", "EHR / portal"
        MAIL = "mail", "Mail"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Sending failed"

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveSmallIntegerField(default=1)
    recipient = models.ForeignKey(
        "referrals.ReferringProvider", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(
        max_length=200, blank=True, help_text="The e-mail address or fax number used."
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    pdf = models.FileField(upload_to=report_path, max_length=200, blank=True)
    data = models.JSONField(default=dict)
    due_at = models.DateTimeField(help_text="24 hours after signing: the goal.")
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_note = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "version"], name="uniq_report_version"),
        ]
        indexes = [models.Index(fields=["organization", "status", "due_at"], name="report_queue")]

    def __str__(self) -> str:
        amended = " (amended)" if self.version > 1 else ""
        return f"Treatment report{amended} for {self.visit}"

    @property
    def is_sent(self) -> bool:
        return self.status == self.Status.SENT

    def is_late(self, now: dt.datetime) -> bool:
        """Not sent within 24 hours of signing (or sent after that)."""
        if self.sent_at is not None:
            return self.sent_at > self.due_at
        return now > self.due_at
