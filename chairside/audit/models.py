"""The audit trail: who did what to which record, when. Append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

APPEND_ONLY = "Audit events are append-only; they cannot be changed or deleted."


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk updates and deletes are refused (HIPAA §164.312(b): the trail must be trustworthy).

    On PostgreSQL a trigger refuses UPDATE and DELETE too (migration 0003), so raw SQL
    cannot rewrite history either."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(APPEND_ONLY)


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        OVERRIDE = "override", "Overrode a rule"
        STATE = "state", "Changed state"
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Failed log-in"
        LOGOUT = "logout", "Logged out"

    organization = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.UUIDField(null=True, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # Which patient's chart this touched, so a chart's own trail is one indexed query.
    patient_id = models.UUIDField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The member's role when it happened and the page or API path, for the access report.
    role = models.CharField(max_length=32, blank=True)
    path = models.CharField(max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-at"], name="audit_org_at"),
            models.Index(fields=["patient_id", "-at"], name="audit_patient_at"),
            models.Index(fields=["action", "username", "at"], name="audit_login_failures"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(APPEND_ONLY)


class AuditEventPatientQuerySet(models.QuerySet["AuditEventPatient"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(APPEND_ONLY)


class AuditEventPatient(models.Model):
    """One patient a read showed: "who looked at this chart" is one indexed query on
    ``(patient_id, -at)``, however many patients the page listed."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="patients")
    patient_id = models.UUIDField()
    at = models.DateTimeField()

    objects = AuditEventPatientQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient_id", "-at"], name="audit_read_patient_at")]

    def __str__(self) -> str:
        return f"{self.patient_id} in {self.event}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(APPEND_ONLY)
