"""Helpers shared by the referral and order services."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chairside.audit.services import audit_record
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def audit(
    action: str,
    *,
    user: User | None,
    obj: models.Model,
    organization: Organization,
    patient: Any = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    audit_record(
        action=action,
        user=user,
        organization=organization,
        obj=obj,
        patient=patient,
        changes=changes or {},
        reason=reason,
    )


def same_organization(obj: Any, organization: Organization, field: str, what: str) -> None:
    """Refuse a related row of another organization, naming the field it came in."""
    if obj is not None and obj.organization_id != organization.pk:
        raise ValidationError({field: f"Choose one of your organization's {what}."})


def not_in_future(day: dt.date | None, field: str, what: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: f"The {what} cannot be in the future."})


def reject_unknown(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
