from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chairside.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the trail is append-only, even for superusers."""

    list_display = ["at", "username", "action", "object_type", "object_repr", "organization"]
    list_filter = ["action", "organization"]
    search_fields = ["username", "object_repr"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
