from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chairside.formulary.models import Drug


def drugs(*, organization: Any, active_only: bool = True) -> QuerySet[Drug]:
    found = Drug.objects.filter(organization=organization).prefetch_related(
        "packages", "regimens", "required_labs"
    )
    return found.filter(is_active=True) if active_only else found
