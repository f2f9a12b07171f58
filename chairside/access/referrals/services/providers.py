"""The referring-provider directory."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.access.referrals.models import ReferringProvider
from chairside.access.referrals.services._common import audit, reject_unknown
from chairside.audit.models import AuditEvent
from chairside.audit.services import diff, snapshot
from chairside.rules.npi import is_valid_npi

PROVIDER_FIELDS = (
    "first_name",
    "last_name",
    "credential",
    "specialty",
    "npi",
    "practice_name",
    "is_internal",
    "phone",
    "fax",
    "email",
    "address",
    "report_preference",
    "is_active",
)


@transaction.atomic
def provider_save(
    *, organization: Any, user: Any, provider: ReferringProvider | None = None, **fields: Any
) -> ReferringProvider:
    """Add or change a referring provider. The NPI must pass its check digit and be unique."""
    reject_unknown(fields, PROVIDER_FIELDS)
    before = snapshot(provider, PROVIDER_FIELDS) if provider else {}
    provider = provider or ReferringProvider(organization=organization)
    for name, value in fields.items():
        setattr(provider, name, value.strip() if isinstance(value, str) else value)
    if not is_valid_npi(provider.npi):
        raise ValidationError(
            {"npi": f"{provider.npi or 'This'} is not a valid NPI: 10 digits with a check digit."}
        )
    taken = ReferringProvider.objects.filter(organization=organization, npi=provider.npi)
    clash = taken.exclude(pk=provider.pk).first()
    if clash is not None:
        raise ValidationError({"npi": f"{clash} already has NPI {provider.npi}."})
    provider.full_clean()
    provider.save()
    changes = diff(before, snapshot(provider, PROVIDER_FIELDS))
    if changes:
        action = AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE
        audit(action, user=user, obj=provider, organization=organization, changes=changes)
    return provider
