"""Reads of interface messages and CSV imports, always within one organization."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from chairside.interop.eligibility import current_values
from chairside.interop.models import CsvImport, EligibilityExchange, InterfaceMessage
from chairside.rules.billing.x12.x12_271 import PROPOSAL_LABELS


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


# --- eligibility exchanges (X12 270/271) -------------------------------------------------


def access_exchange(*, organization: Any, public_id: Any) -> EligibilityExchange:
    """The organization's eligibility exchange, or 404 (another organization's is not found)."""
    return get_object_or_404(
        EligibilityExchange.objects.select_related(
            "patient",
            "coverage__payer",
            "benefits__order__drug",
            "benefits__verified_by",
            "requested_by",
            "reviewed_by",
        ),
        organization=organization,
        public_id=public_id,
    )


def exchanges_for(*, organization: Any, benefits: Any) -> QuerySet[EligibilityExchange]:
    return EligibilityExchange.objects.filter(
        organization=organization, benefits=benefits
    ).select_related("requested_by", "reviewed_by")


def comparison(exchange: EligibilityExchange) -> list[dict[str, Any]]:
    """Each field the benefits page holds (and the coverage's plan and group): the value on
    file beside the payer's answer, and whether and how it differs."""

    current = current_values(exchange.benefits)
    changed = {c["field"]: c for c in exchange.changes}
    return [
        {
            "label": label,
            "current": _shown(current.get(name), name),
            "proposed": _shown(exchange.proposed.get(name), name, missing="not given"),
            "changed": name in changed,
            "kind": changed.get(name, {}).get("kind", ""),
            "blocking": changed.get(name, {}).get("blocking", False),
            "coverage_field": name in {"plan_name", "group_number"},
        }
        for name, label in PROPOSAL_LABELS.items()
    ]


def plan_facts(exchange: EligibilityExchange) -> str:
    """The plan's dates and what remains of the deductible and out-of-pocket maximum."""
    summary = exchange.summary
    facts = []
    if summary.get("plan_begin"):
        begin = dt.date.fromisoformat(summary["plan_begin"])
        end = summary.get("plan_end")
        until = f" to {dt.date.fromisoformat(end):%m/%d/%Y}" if end else ""
        facts.append(f"Plan dates {begin:%m/%d/%Y}{until}.")
    for key, label in (
        ("deductible_remaining", "Deductible remaining"),
        ("out_of_pocket_remaining", "Out-of-pocket remaining"),
    ):
        if summary.get(key) is not None:
            facts.append(f"{label} {_shown(summary[key], 'copay')}.")
    return " ".join(facts)


def _shown(value: Any, name: str, missing: str = "—") -> str:
    if value is None or value == "":
        return missing
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "pa_required":
        return {"yes": "Required", "no": "Not required"}.get(str(value), str(value))
    if name == "coinsurance_percent":
        return f"{Decimal(str(value)).normalize():f}%"
    if name in {"deductible", "deductible_met", "out_of_pocket_max", "out_of_pocket_met", "copay"}:
        return f"${Decimal(str(value)):,.2f}"
    return str(value)
