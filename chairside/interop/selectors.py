"""Reads of interface messages and CSV imports, always within one organization."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from chairside.interop.models import CsvImport, InterfaceMessage


def messages(
    *, organization: Any, direction: str = "", status: str = ""
) -> QuerySet[InterfaceMessage]:
    found = InterfaceMessage.objects.filter(organization=organization).select_related("patient")
    if direction in InterfaceMessage.Direction.values:
        found = found.filter(direction=direction)
    if status in InterfaceMessage.Status.values:
        found = found.filter(status=status)
    return found.order_by("-created_at", "-id")


def access_message(*, organization: Any, public_id: Any) -> InterfaceMessage:
    """The organization's message, or 404 (another organization's is not found)."""
    return get_object_or_404(
        InterfaceMessage.objects.select_related("patient", "referral", "appointment"),
        organization=organization,
        public_id=public_id,
    )


def counts(*, organization: Any) -> dict[str, int]:
    base = InterfaceMessage.objects.filter(organization=organization)
    return {
        "errors": base.filter(status=InterfaceMessage.Status.ERROR).count(),
        "queued": base.filter(status=InterfaceMessage.Status.QUEUED).count(),
    }


def imports(*, organization: Any) -> QuerySet[CsvImport]:
    return CsvImport.objects.filter(organization=organization).select_related("created_by")


def access_import(*, organization: Any, public_id: Any) -> CsvImport:
    return get_object_or_404(CsvImport, organization=organization, public_id=public_id)
