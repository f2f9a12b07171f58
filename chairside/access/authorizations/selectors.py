"""Reads for benefits and authorizations, always reached through an organization's order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chairside.access.authorizations.models import (
    AuthorizationUsage,
    BenefitsInvestigation,
    PriorAuthorization,
)
from chairside.access.referrals.models import TreatmentOrder
from chairside.patients.models import Coverage
from chairside.patients.selectors import coverages_on
from chairside.rules import authorization_states as states


def access_benefits(*, organization: Any, public_id: Any) -> BenefitsInvestigation:
    """The organization's benefits investigation, or 404."""
    return get_object_or_404(
        BenefitsInvestigation.objects.select_related(
            "patient", "order__drug", "coverage__payer", "verified_by", "assigned_to"
        ),
        organization=organization,
        public_id=public_id,
    )


def access_authorization(*, organization: Any, public_id: Any) -> PriorAuthorization:
    """The organization's prior authorization, or 404."""
    return get_object_or_404(
        PriorAuthorization.objects.select_related(
            "patient", "order__drug", "coverage__payer", "assigned_to"
        ),
        organization=organization,
        public_id=public_id,
    )


def primary_coverage(order: TreatmentOrder, on_date: dt.date) -> Coverage | None:
    """The patient's primary coverage in force on the date, if any."""
    in_force = coverages_on(order.patient, on_date)
    return in_force[0] if in_force else None


def benefits_verified(*, order: TreatmentOrder) -> bool:
    """Whether every benefits investigation of the order is verified (self-pay: trivially)."""
    checks = order.benefits.all()
    if not checks.exists():
        today = timezone.localdate()
        return not any(c.is_active_on(today) for c in order.patient.coverages.all())
    return not checks.filter(status=BenefitsInvestigation.Status.PENDING).exists()


def authorization_needed(*, order: TreatmentOrder, on_date: dt.date) -> tuple[bool, str]:
    """Whether doses of this order on the date need a prior authorization, and why not.

    Not needed when the formulary says the drug usually needs none, or when the primary
    payer said so: a verified benefits check with "not required", or an authorization
    marked "not required".
    """
    if not order.drug.prior_auth_usually_required:
        return False, f"{order.drug.generic_name} does not usually need prior authorization"
    coverage = primary_coverage(order, on_date)
    if coverage is None:
        return False, "no insurance on file (self-pay)"
    said_no = (
        order.benefits.filter(
            coverage=coverage,
            status=BenefitsInvestigation.Status.VERIFIED,
            pa_required=BenefitsInvestigation.PaRequired.NO,
        ).exists()
        or order.authorizations.filter(coverage=coverage, status=states.NOT_REQUIRED).exists()
    )
    if said_no:
        return False, f"{coverage.payer} does not require prior authorization for this drug"
    return True, ""


def authorization_settled(*, order: TreatmentOrder) -> bool:
    """No authorization needed, or an approved one that has not ended."""
    today = timezone.localdate()
    needed, _ = authorization_needed(order=order, on_date=order.first_dose_on or today)
    if not needed:
        return True
    return order.authorizations.filter(status=states.APPROVED, end_on__gte=today).exists()


def live_usage(authorization: PriorAuthorization) -> QuerySet[AuthorizationUsage]:
    return authorization.usage.filter(released_at__isnull=True)


def usage_totals(
    authorization: PriorAuthorization, *, exclude: tuple[str, str] | None = None
) -> tuple[int, int]:
    """(visits used, units used): every booking and treatment that was not released."""
    rows = live_usage(authorization)
    if exclude is not None:
        rows = rows.exclude(source_type=exclude[0], source_id=exclude[1])
    totals = rows.aggregate(visits=Count("id"), units=Sum("units"))
    return int(totals["visits"] or 0), int(totals["units"] or 0)


def doses_documented(order: TreatmentOrder) -> int:
    """Doses given under the order: the treatments consumed from its authorization usage."""
    return order.authorization_usage.filter(
        kind=AuthorizationUsage.Kind.CONSUMED, released_at__isnull=True
    ).count()


def authorizations_for_order(order: TreatmentOrder) -> list[dict[str, Any]]:
    """The order's authorizations with what is used and left, newest first."""
    rows = []
    for auth in order.authorizations.select_related("coverage__payer").order_by(
        "-start_on", "-created_at"
    ):
        visits, units = usage_totals(auth)
        rows.append(
            {
                "authorization": auth,
                "visits_used": visits,
                "units_used": units,
                "visits_left": _left(auth.visits_authorized, visits),
                "units_left": _left(auth.units_authorized, units),
            }
        )
    return rows


def _left(authorized: int | None, used: int) -> int | None:
    return None if authorized is None else authorized - used


def pending_payer_statuses() -> Q:
    return Q(status__in=states.PENDING_STATES)


def doses_documented_by_order(order_ids: list[int]) -> dict[int, int]:
    """``doses_documented`` for many orders in one query."""
    rows = (
        AuthorizationUsage.objects.filter(
            order_id__in=order_ids, kind=AuthorizationUsage.Kind.CONSUMED, released_at__isnull=True
        )
        .values("order_id")
        .annotate(n=Count("id"))
    )
    return {row["order_id"]: row["n"] for row in rows}


def benefits_for_order(order: TreatmentOrder) -> QuerySet[BenefitsInvestigation]:
    return order.benefits.select_related("coverage__payer", "verified_by").order_by(
        "coverage__order"
    )
