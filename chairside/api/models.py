"""API tokens: how systems (and people's scripts) call the API without a browser session."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from chairside.core.models import OrgScopedModel
from chairside.tenancy.roles import ROLE_LABELS


class ApiToken(OrgScopedModel):
    """One token for one organization. A personal token acts as its owner with her current
    role there (and stops when her membership does); a service token acts as its own
    service identity with the role an administrator gave it. Only the secret's SHA-256 is
    kept (``rules.common.api_tokens``); the token is shown once, when made."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal (acts as you)"
        SERVICE = "service", "Service (a connected system)"

    ROLE_CHOICES = [(r.value, label) for r, label in ROLE_LABELS.items()]

    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    role = models.CharField(max_length=16, choices=ROLE_CHOICES, blank=True)
    prefix = models.CharField(max_length=8, unique=True)
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (cs_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > timezone.now() else "expired"
