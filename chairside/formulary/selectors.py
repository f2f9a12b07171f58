from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chairside.formulary.models import Drug, RegimenTemplate


def drugs(*, organization: Any, active_only: bool = True) -> QuerySet[Drug]:
    found = Drug.objects.filter(organization=organization).prefetch_related(
        "packages", "regimens", "required_labs"
    )
    return found.filter(is_active=True) if active_only else found


def regimen_templates(*, organization: Any, drug_id: Any) -> QuerySet[RegimenTemplate]:
    """The regimens of one of the organization's drugs (none for another organization's)."""
    return RegimenTemplate.objects.filter(
        drug__organization=organization, drug_id=drug_id
    ).select_related("drug")


def regimen_template(*, drug: Drug, public_id: Any) -> RegimenTemplate | None:
    """One regimen of this drug (the drug is already the organization's), or ``None``."""
    return RegimenTemplate.objects.filter(drug=drug, public_id=public_id).first()
