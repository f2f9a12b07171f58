"""Per-user log-in state that Django's User does not hold."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccountSecurity(models.Model):
    """Whether the user must choose a new password before doing anything else.

    Set when an administrator creates the log-in or resets its password with a temporary
    one; cleared when the user changes it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_security"
    )
    must_change_password = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "account security"
        verbose_name_plural = "account security"

    def __str__(self) -> str:
        return f"{self.user} (must change password: {self.must_change_password})"
