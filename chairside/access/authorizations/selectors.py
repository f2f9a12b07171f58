"""Reads for benefits and authorizations, always reached through an organization's order."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chairside.access.authorizations.models import (
    AssistanceEnrollment,
    AssistanceProgram,
    AuthorizationDocument,
    AuthorizationUsage,
    BenefitsInvestigation,
    PriorAuthorization,
)
from chairside.access.referrals.models import TreatmentOrder
from chairside.patients.models import Coverage
from chairside.patients.selectors import coverages_on
from chairside.rules.access import authorization_states as states

M = TypeVar("M", bound=Model)


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


@dataclass
class AuthorizationFacts:
    """What the authorization rule reads about one order, loaded once (see
    ``authorization_facts``): the patient's coverages (primary first), the order's benefits
    checks and its authorizations of every status."""

    coverages: list[Coverage] = field(default_factory=list)
    benefits: list[BenefitsInvestigation] = field(default_factory=list)
    authorizations: list[PriorAuthorization] = field(default_factory=list)


def authorization_facts(orders: Iterable[TreatmentOrder]) -> dict[int, AuthorizationFacts]:
    """``AuthorizationFacts`` per order id for many orders in three queries (a day's
    appointments on the readiness board), whatever their number."""
    orders = list(orders)
    facts = {o.pk: AuthorizationFacts() for o in orders}
    if not orders:
        return facts
    by_patient: dict[int, list[Coverage]] = defaultdict(list)
    coverages = Coverage.objects.filter(patient_id__in={o.patient_id for o in orders})
    for coverage in coverages.select_related("payer").order_by("order", "-effective_from", "pk"):
        by_patient[coverage.patient_id].append(coverage)
    for order in orders:
        facts[order.pk].coverages = by_patient[order.patient_id]
    for check in BenefitsInvestigation.objects.filter(order_id__in=facts).order_by("pk"):
        facts[check.order_id].benefits.append(check)
    for auth in PriorAuthorization.objects.filter(order_id__in=facts).order_by("pk"):
        facts[auth.order_id].authorizations.append(auth)
    return facts


def needed_from(
    order: TreatmentOrder, on_date: dt.date, facts: AuthorizationFacts
) -> tuple[bool, str, Coverage | None]:
    """``authorization_needed`` on loaded facts, with the primary coverage it judged by."""
    if not order.drug.prior_auth_usually_required:
        why = f"{order.drug.generic_name} does not usually need prior authorization"
        return False, why, None
    coverage = next((c for c in facts.coverages if c.is_active_on(on_date)), None)
    if coverage is None:
        return False, "no insurance on file (self-pay)", None
    said_no = any(
        b.coverage_id == coverage.pk
        and b.status == BenefitsInvestigation.Status.VERIFIED
        and b.pa_required == BenefitsInvestigation.PaRequired.NO
        for b in facts.benefits
    ) or any(
        a.coverage_id == coverage.pk and a.status == states.NOT_REQUIRED
        for a in facts.authorizations
    )
    if said_no:
        return False, f"{coverage.payer} does not require prior authorization for this drug", None
    return True, "", coverage


def authorization_needed(*, order: TreatmentOrder, on_date: dt.date) -> tuple[bool, str]:
    """Whether doses of this order on the date need a prior authorization, and why not.

    Not needed when the formulary says the drug usually needs none, or when the primary
    payer said so: a verified benefits check with "not required", or an authorization
    marked "not required".
    """
    if not order.drug.prior_auth_usually_required:  # no query for the formulary's answer
        return needed_from(order, on_date, AuthorizationFacts())[:2]
    return needed_from(order, on_date, authorization_facts([order])[order.pk])[:2]


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


def usage_totals_many(
    wanted: Iterable[tuple[int, tuple[str, str] | None]],
) -> dict[tuple[int, tuple[str, str] | None], tuple[int, int]]:
    """``usage_totals`` for many (authorization id, excluded source) pairs in two queries:
    the live usage per authorization, less what each excluded source holds on it."""
    wanted = list(wanted)
    ids = {auth_id for auth_id, _ in wanted}
    if not ids:
        return {}
    live = AuthorizationUsage.objects.filter(authorization_id__in=ids, released_at__isnull=True)
    totals = {
        auth_id: (int(visits or 0), int(units or 0))
        for auth_id, visits, units in live.values("authorization_id")
        .annotate(visits=Count("id"), units=Sum("units"))
        .values_list("authorization_id", "visits", "units")
    }
    sources = {source for _, source in wanted if source is not None}
    held: dict[tuple[int, tuple[str, str]], tuple[int, int]] = {}
    if sources:
        own = live.filter(
            source_type__in={t for t, _ in sources}, source_id__in={i for _, i in sources}
        ).values_list("authorization_id", "source_type", "source_id", "units")
        for auth_id, source_type, source_id, units in own:
            visits_held, units_held = held.get((auth_id, (source_type, source_id)), (0, 0))
            held[(auth_id, (source_type, source_id))] = (visits_held + 1, units_held + units)
    found = {}
    for auth_id, source in wanted:
        visits, units = totals.get(auth_id, (0, 0))
        minus = held.get((auth_id, source), (0, 0)) if source is not None else (0, 0)
        found[(auth_id, source)] = (visits - minus[0], units - minus[1])
    return found


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


def doses_documented_by_order(order_ids: list[int] | QuerySet[Any]) -> dict[int, int]:
    """``doses_documented`` for many orders in one query (``order_ids`` a list, or a query
    of order ids, which stays a subquery: cheaper than thousands of ids)."""
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


def authorizations(
    *,
    organization: Any,
    patient: Any = None,
    status: str = "",
    order: Any = None,
    active_from: dt.date | None = None,
    active_to: dt.date | None = None,
) -> QuerySet[PriorAuthorization]:
    """The organization's prior authorizations (patient and order by public id). A date
    range keeps those whose approved period overlaps it. Newest first, then id."""
    found = PriorAuthorization.objects.filter(organization=organization).select_related(
        "patient", "order__drug", "coverage__payer"
    )
    if patient is not None:
        found = found.filter(patient__public_id=patient)
    if status:
        found = found.filter(status=status)
    if order is not None:
        found = found.filter(order__public_id=order)
    if active_from is not None:
        found = found.filter(Q(end_on__isnull=True) | Q(end_on__gte=active_from))
    if active_to is not None:
        found = found.filter(Q(start_on__isnull=True) | Q(start_on__lte=active_to))
    return found.order_by("-created_at", "-id")


def org_record(model: type[M], *, organization: Any, public_id: Any) -> M | None:
    """One record of ``model`` (an organization-scoped model) of this organization by public
    id, or ``None``: another organization's is unknown here."""
    return model._default_manager.filter(organization=organization, public_id=public_id).first()


def still_overridden(authorization: PriorAuthorization) -> QuerySet[AuthorizationUsage]:
    """The order's bookings allowed by an override that no approval has taken over."""
    return (
        AuthorizationUsage.objects.filter(
            order_id=authorization.order_id,
            authorization__isnull=True,
            override__isnull=False,
            released_at__isnull=True,
        )
        .select_related("override")
        .order_by("on_date")
    )


def access_authorization_document(*, organization: Any, public_id: Any) -> AuthorizationDocument:
    """One document of the organization's authorizations, or 404."""
    return get_object_or_404(
        AuthorizationDocument.objects.select_related("authorization__patient"),
        authorization__organization=organization,
        public_id=public_id,
    )


def assistance_programs(*, organization: Any) -> QuerySet[AssistanceProgram]:
    return AssistanceProgram.objects.filter(organization=organization).select_related("drug")


def authorization_for_pas(*, organization: Any, public_id: Any) -> PriorAuthorization | None:
    """One of the organization's authorizations with what a PAS request Bundle names, or None."""
    return (
        PriorAuthorization.objects.filter(organization=organization, public_id=public_id)
        .select_related("patient", "order__drug", "order__ordering_provider", "coverage__payer")
        .first()
    )


def access_enrollment(*, organization: Any, public_id: Any) -> AssistanceEnrollment:
    """One patient's enrollment in an assistance program, of this organization, or 404."""
    return get_object_or_404(AssistanceEnrollment, organization=organization, public_id=public_id)
