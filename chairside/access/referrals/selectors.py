"""Reads for referrals and orders, always scoped to one organization.

``labs_due(order=..., on_date=...)`` and ``next_dose_on(order, today)`` are called by
scheduling and the visit module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from chairside.access.authorizations.selectors import doses_documented
from chairside.access.referrals.models import (
    OrderLab,
    Referral,
    ReferralDocument,
    ReferringProvider,
    TreatmentOrder,
)
from chairside.patients.models import LabResult, Patient
from chairside.patients.selectors import latest_measurement
from chairside.rules.access import referral_states as rs
from chairside.rules.clinical.lab_codes import match_key
from chairside.rules.clinical.labs import lab_due_on
from chairside.rules.clinical.regimens import earliest_next_dose


def providers(*, organization: Any, include_inactive: bool = False) -> QuerySet[ReferringProvider]:
    found = ReferringProvider.objects.filter(organization=organization)
    return found if include_inactive else found.filter(is_active=True)


def access_provider(*, organization: Any, public_id: Any) -> ReferringProvider:
    return get_object_or_404(ReferringProvider, organization=organization, public_id=public_id)


def referrals(*, organization: Any, state: str = "", query: str = "") -> QuerySet[Referral]:
    """The organization's referrals, open ones by default ("all" for every state)."""
    found = Referral.objects.filter(organization=organization).select_related(
        "patient", "referring_provider", "requested_drug", "location", "assigned_to"
    )
    if state == "all":
        pass
    elif state:
        found = found.filter(state=state)
    else:
        found = found.filter(state__in=rs.OPEN_STATES)
    if query.strip():
        q = query.strip()
        found = found.filter(patient_last_name__istartswith=q) | found.filter(
            patient__last_name__istartswith=q
        )
    return found


def access_referral(*, organization: Any, public_id: Any) -> Referral:
    """The organization's referral with its history and documents, or 404."""
    return get_object_or_404(
        Referral.objects.select_related(
            "patient", "referring_provider", "requested_drug", "location", "assigned_to"
        ).prefetch_related("state_changes__changed_by", "documents", "orders__drug"),
        organization=organization,
        public_id=public_id,
    )


def access_referral_document(*, organization: Any, public_id: Any) -> ReferralDocument:
    return get_object_or_404(
        ReferralDocument.objects.select_related("referral__patient"),
        referral__organization=organization,
        public_id=public_id,
    )


def referral_days(referral: Referral, today: dt.date) -> dict[str, int]:
    changes = [(c.to_state, c.changed_on) for c in referral.state_changes.all()]
    return rs.days_in_states(referral.received_on, changes, today)


def access_order(*, organization: Any, public_id: Any) -> TreatmentOrder:
    """The organization's treatment order, or 404 — never another organization's."""
    return get_object_or_404(
        TreatmentOrder.objects.select_related(
            "patient", "drug", "regimen_template", "ordering_provider", "referral", "location"
        ).prefetch_related("required_labs", "diagnoses"),
        organization=organization,
        public_id=public_id,
    )


def orders_for_patient(patient: Patient) -> QuerySet[TreatmentOrder]:
    return patient.treatment_orders.select_related("drug", "ordering_provider").order_by(
        "status", "-signed_on"
    )


def active_orders(*, organization: Any) -> QuerySet[TreatmentOrder]:
    return TreatmentOrder.objects.filter(
        organization=organization, status=TreatmentOrder.Status.ACTIVE
    ).select_related("patient", "drug", "location", "assigned_to")


def orders_to_sign(*, organization: Any) -> QuerySet[TreatmentOrder]:
    """Active or held orders awaiting a provider's signature, oldest first (the queue)."""
    return (
        TreatmentOrder.objects.filter(
            organization=organization,
            status__in=[TreatmentOrder.Status.ACTIVE, TreatmentOrder.Status.ON_HOLD],
            signed_at__isnull=True,
        )
        .select_related("patient", "drug", "ordering_provider", "entered_by", "signature_voided_by")
        .prefetch_related("diagnoses", "required_labs")
        .order_by("created_at", "pk")
    )


# --- next dose and labs ------------------------------------------------------------------


def next_dose_on(order: TreatmentOrder, doses_given: int | None = None) -> dt.date | None:
    """The regimen's date for the next dose after the doses documented so far.

    None when the first dose is not yet planned, the course is complete, or the next date
    falls after the order's end or expiry. The schedule counts from the first dose.
    """

    if order.first_dose_on is None:
        return None
    given = doses_documented(order) if doses_given is None else doses_given
    if order.number_of_doses is not None and given >= order.number_of_doses:
        return None
    upcoming = earliest_next_dose(order.regimen(), order.first_dose_on, given)
    if upcoming is None or upcoming > order.last_day():
        return None
    return upcoming


@dataclass(frozen=True)
class LabDue:
    """A required lab that must be (re)done before a dose on the date asked about."""

    name: str
    last_on: dt.date | None
    every_days: int | None
    due_on: dt.date | None
    message: str


def _latest_results(patient_ids: Iterable[int], on_date: dt.date) -> dict[tuple[int, str], dt.date]:
    rows = (
        LabResult.objects.filter(patient_id__in=list(patient_ids), result_on__lte=on_date)
        .values("patient_id", "lab_name", "code")
        .annotate(last=Max("result_on"))
    )
    latest: dict[tuple[int, str], dt.date] = {}
    for row in rows:
        # Coded results match coded labs by code; uncoded ones by their exact name.
        key = (row["patient_id"], match_key(row["code"], row["lab_name"]))
        latest[key] = max(row["last"], latest.get(key, row["last"]))
    return latest


def _lab_due(lab: OrderLab, last: dt.date | None, on_date: dt.date) -> LabDue | None:
    due = lab_due_on(last, lab.every_days)
    if due is None or due > on_date:
        return None
    if last is None:
        message = f"{lab.name} never recorded"
    elif lab.every_days:
        message = f"{lab.name} last {last:%m/%d/%Y}, due every {lab.every_days} days"
    else:
        message = f"{lab.name} needed"
    return LabDue(lab.name, last, lab.every_days, None if last is None else due, message)


def labs_due(*, order: TreatmentOrder, on_date: dt.date) -> list[LabDue]:
    """The order's required labs that must be done before a dose on ``on_date``.

    "Tuberculosis screening never recorded"; "Anti-JCV antibody last 03/01/2026, due every
    180 days". Results are matched to the order's labs by name (case-insensitive).
    """
    latest = _latest_results([order.patient_id], on_date)
    found = []
    for lab in order.required_labs.all():
        due = _lab_due(lab, latest.get((order.patient_id, match_key(lab.code, lab.name))), on_date)
        if due is not None:
            found.append(due)
    return found


def labs_due_for_orders(
    orders: list[TreatmentOrder], on_dates: dict[int, dt.date]
) -> dict[int, list[LabDue]]:
    """``labs_due`` for many orders in two queries (for the work queue)."""
    if not orders:
        return {}
    horizon = max(on_dates.values())
    latest = _latest_results({o.patient_id for o in orders}, horizon)
    labs = OrderLab.objects.filter(order_id__in=[o.pk for o in orders]).only(
        "order_id", "name", "code", "every_days"
    )
    by_order: dict[int, list[OrderLab]] = {}
    for lab in labs:
        by_order.setdefault(lab.order_id, []).append(lab)
    result: dict[int, list[LabDue]] = {}
    for order in orders:
        on = on_dates[order.pk]
        dues = [
            d
            for lab in by_order.get(order.pk, [])
            if (
                d := _lab_due(
                    lab, latest.get((order.patient_id, match_key(lab.code, lab.name))), on
                )
            )
        ]
        if dues:
            result[order.pk] = dues
    return result


def current_dose(order: TreatmentOrder) -> tuple[Decimal | None, Any, str]:
    """(dose for the patient's latest weight, that measurement, a problem if any)."""
    measurement = latest_measurement(order.patient)
    weight = measurement.weight_kg if measurement else None
    given = None
    try:
        number = doses_documented(order) + 1
        given = order.dose_for_weight(weight or order.weight_kg_at_order, number)
    except ValueError as exc:
        return None, measurement, str(exc)
    return given, measurement, ""


def patient_labs(patient: Patient) -> QuerySet[LabResult]:
    return patient.lab_results.order_by("-result_on", "-id")


def orders_with_labs(*, organization: Any) -> QuerySet[TreatmentOrder]:
    return active_orders(organization=organization).prefetch_related(
        Prefetch("required_labs", queryset=OrderLab.objects.order_by("name"))
    )


def orders(
    *,
    organization: Any,
    patient: Any = None,
    status: str = "",
    drug: Any = None,
    location: Any = None,
    signed_from: dt.date | None = None,
    signed_to: dt.date | None = None,
) -> QuerySet[TreatmentOrder]:
    """The organization's treatment orders (patient, drug, site by public id), newest
    signature first, then id: a stable order for paging."""
    found = TreatmentOrder.objects.filter(organization=organization).select_related(
        "patient", "drug", "ordering_provider", "location", "referral"
    )
    if patient is not None:
        found = found.filter(patient__public_id=patient)
    if status:
        found = found.filter(status=status)
    if drug is not None:
        found = found.filter(drug__public_id=drug)
    if location is not None:
        found = found.filter(location__public_id=location)
    if signed_from is not None:
        found = found.filter(signed_on__gte=signed_from)
    if signed_to is not None:
        found = found.filter(signed_on__lte=signed_to)
    return found.order_by("-signed_on", "-id")
