"""The referring-provider directory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.access.referrals.models import ReferringProvider
from chairside.access.referrals.services._common import reject_unknown
from chairside.audit.services import audited_update
from chairside.rules.common.npi import is_valid_npi
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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
    *,
    organization: Organization,
    user: User,
    provider: ReferringProvider | None = None,
    **fields: Any,
) -> ReferringProvider:
    """Add or change a referring provider. The NPI must pass its check digit and be unique."""
    reject_unknown(fields, PROVIDER_FIELDS)
    provider = provider or ReferringProvider(organization=organization)

    def save(changed: ReferringProvider) -> None:
        if not is_valid_npi(changed.npi):
            bad = f"{changed.npi or 'This'} is not a valid NPI: 10 digits with a check digit."
            raise ValidationError({"npi": bad})
        taken = ReferringProvider.objects.filter(organization=organization, npi=changed.npi)
        clash = taken.exclude(pk=changed.pk).first()
        if clash is not None:
            raise ValidationError({"npi": f"{clash} already has NPI {changed.npi}."})
        changed.full_clean()
        changed.save()

    audited_update(
        instance=provider,
        user=user,
        data={k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
        fields=PROVIDER_FIELDS,
        save=save,
        organization=organization,
    )
    return provider
