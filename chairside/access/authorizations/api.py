"""Patient-access API: the work queues, the booking rule's answer, and logging a referral.

Through the same queues, selectors and services as the pages, so the API counts, refuses
and audits exactly as they do (a refused input answers 400 with the page's words).
Mounted at ``/api/v1/access`` by the API's router list (``chairside/urls.py``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from chairside.access.authorizations import selectors as auth_selectors
from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.authorizations.queues import QUEUES, QUEUES_BY_KEY, QueueRow, queue_rows
from chairside.access.authorizations.services import authorization_check
from chairside.access.referrals import selectors as referral_selectors
from chairside.access.referrals import services as referral_services
from chairside.access.referrals.models import Referral, ReferringProvider
from chairside.access.referrals.selectors import access_order
from chairside.api.auth import ApiRequest, require
from chairside.api.auth import active_organization as _org
from chairside.api.params import (
    DateFrom,
    DateTo,
    Limit,
    Offset,
    Units,
    check_day,
    check_range,
    page,
)
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, client_ip
from chairside.formulary.models import Drug
from chairside.formulary.selectors import regimen_template
from chairside.patients.models import Patient
from chairside.rules.access import referral_states as rs
from chairside.tenancy.models import Location
from chairside.tenancy.roles import Perm, has_perm
from chairside.tenancy.selectors import staff_of_user

router = Router(tags=["access"])


class QueueCountOut(Schema):
    key: str
    title: str
    description: str
    count: int


class QueueRowOut(Schema):
    kind: str  # referral, order, benefits or authorization
    public_id: UUID
    patient: str
    what: str
    detail: str
    since: dt.date | None
    tone: str
    location: str | None
    assigned_to: str | None
    action: str
    action_url: str


class AuthorizationCheckOut(Schema):
    ok: bool
    required: bool
    message: str
    authorization_number: str | None
    visits_left: int | None
    units_left: int | None


class ReferralIn(Schema):
    received_on: dt.date | None = None
    referring_provider: UUID | None = None
    patient: UUID | None = None
    patient_first_name: str = ""
    patient_last_name: str = ""
    patient_date_of_birth: dt.date | None = None
    patient_phone: str = ""
    requested_drug: UUID | None = None
    requested_drug_text: str = ""
    diagnosis_code: str = ""
    clinical_notes: str = ""
    labs_received: str = ""
    is_urgent: bool = False
    location: UUID | None = None


class ReferralOut(Schema):
    public_id: UUID
    received_on: dt.date
    patient: str
    patient_id: UUID | None
    referring_provider: str | None
    drug: str
    diagnosis_code: str
    state: str
    state_label: str
    state_since: dt.date
    days_in_state: dict[str, int]
    closed_reason: str
    is_urgent: bool


def _row(row: QueueRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "public_id": row.item.public_id,
        "patient": row.patient,
        "what": row.what,
        "detail": row.detail,
        "since": row.since,
        "tone": row.tone or "neutral",
        "location": str(row.location) if row.location else None,
        "assigned_to": str(row.assigned_to) if row.assigned_to else None,
        "action": row.action_label,
        "action_url": row.action_url,
    }


@router.get("/queues", response=list[QueueCountOut])
def list_queues(request: ApiRequest) -> Any:
    """Every work queue with its count, as on the Today page."""
    require(request, Perm.PATIENT_VIEW)
    today = timezone.localdate()
    return [
        {
            "key": q.key,
            "title": q.title,
            "description": q.description,
            "count": len(q.rows(_org(request), today)),
        }
        for q in QUEUES
    ]


@router.get("/queues/{key}", response=list[QueueRowOut])
def get_queue(request: ApiRequest, key: str, location: str = "", assignee: str = "") -> Any:
    """One queue's rows; ``location`` a site's public id, ``assignee`` "me", "none" or a
    staff member's public id."""
    require(request, Perm.PATIENT_VIEW)
    chosen = QUEUES_BY_KEY.get(key)
    if chosen is None:
        raise HttpError(404, "No such work queue.")
    org = _org(request)
    site = None
    if location:
        site = auth_selectors.org_record(Location, organization=org, public_id=_uuid(location))
        if site is None:
            raise HttpError(404, "No such site.")
    me = staff_of_user(organization=org, user=request.user)
    rows = queue_rows(
        chosen,
        organization=org,
        today=timezone.localdate(),
        location_id=site.pk if site else None,
        assignee=assignee,
        me=me,
    )
    return [_row(r) for r in rows]


@router.get("/orders/{public_id}/authorization", response=AuthorizationCheckOut)
def check_authorization(
    request: ApiRequest, public_id: UUID, on_date: dt.date | None = None, units: Units = 1
) -> Any:
    """The booking rule's answer for a dose of the order on a date (default today): whether
    an approved authorization covers it with visits and units left."""
    require(request, Perm.PATIENT_VIEW)
    check_day(on_date, "on_date")
    order = access_order(organization=_org(request), public_id=public_id)
    decision = authorization_check(
        order=order, on_date=on_date or timezone.localdate(), units=units
    )
    return {
        "ok": decision.ok,
        "required": decision.required,
        "message": decision.message,
        "authorization_number": (
            decision.authorization.authorization_number if decision.authorization else None
        ),
        "visits_left": decision.visits_left,
        "units_left": decision.units_left,
    }


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise HttpError(404, "Not found.") from None


def _referral_out(referral: Referral) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "public_id": referral.public_id,
        "received_on": referral.received_on,
        "patient": referral.patient_display,
        "patient_id": referral.patient.public_id if referral.patient else None,
        "referring_provider": str(referral.referring_provider)
        if referral.referring_provider_id
        else None,
        "drug": referral.drug_display,
        "diagnosis_code": referral.diagnosis_code,
        "state": referral.state,
        "state_label": referral.state_label,
        "state_since": referral.state_changed_on,
        "days_in_state": {
            rs.REFERRAL.label(state): days
            for state, days in referral_selectors.referral_days(referral, today).items()
        },
        "closed_reason": referral.closed_reason,
        "is_urgent": referral.is_urgent,
    }


def _one(model: Any, org: Any, public_id: UUID | None, field: str, what: str) -> Any:
    """The organization's record, or a 400 naming the field (another org's is unknown)."""
    if public_id is None:
        return None
    found = auth_selectors.org_record(model, organization=org, public_id=public_id)
    if found is None:
        raise ValidationError({field: f"No such {what} in this organization."})
    return found


@router.post("/referrals", response={201: ReferralOut})
def create_referral(request: ApiRequest, payload: ReferralIn) -> Any:
    """Log a received referral (an e-referral or a typed-in fax), as the page does."""
    require(request, Perm.ACCESS_EDIT)
    org = _org(request)
    fields = payload.dict()
    fields["referring_provider"] = _one(
        ReferringProvider, org, payload.referring_provider, "referring_provider", "provider"
    )
    fields["patient"] = _one(Patient, org, payload.patient, "patient", "patient")
    fields["requested_drug"] = _one(Drug, org, payload.requested_drug, "requested_drug", "drug")
    fields["location"] = _one(Location, org, payload.location, "location", "site")
    if fields["received_on"] is None:
        del fields["received_on"]
    referral = referral_services.referral_create(organization=org, user=request.user, **fields)
    return Status(201, _referral_out(referral))


@router.get("/referrals/{public_id}", response=ReferralOut)
def get_referral(request: ApiRequest, public_id: UUID) -> Any:
    """A referral's state and the days it spent in each state (the read is audited)."""
    require(request, Perm.PATIENT_VIEW)
    referral = referral_selectors.access_referral(organization=_org(request), public_id=public_id)
    audit_record(
        action=AuditEvent.Action.VIEW,
        user=request.user,
        organization=referral.organization,
        obj=referral,
        patient=referral.patient,
        ip_address=client_ip(request),
    )
    return _referral_out(referral)


class OrderIn(Schema):
    """A treatment order as the order page takes it (regimen and dose from the template if
    left out). Entered by a coordinator it is a draft awaiting a physician's signature."""

    patient: UUID
    drug: UUID
    ordering_provider: UUID
    signed_on: dt.date
    regimen_template: UUID | None = None
    first_dose_on: dt.date | None = None
    dose_mg: Decimal | None = None
    dose_mg_per_kg: Decimal | None = None
    referral: UUID | None = None
    notes: str = ""


class OrderOut(Schema):
    public_id: UUID
    patient: UUID
    drug: str
    status: str
    referral: UUID | None
    signed: bool


class DuplicateOrderOut(Schema):
    detail: str
    existing_order: UUID
    existing_status: str


@router.post("/orders", response={201: OrderOut, 409: DuplicateOrderOut})
def create_order(request: ApiRequest, payload: OrderIn) -> Any:
    """Enter a treatment order. A second live (active or on-hold) order for the same patient
    and drug is refused with 409 naming the existing order; left without a referral, the
    order is linked to the patient's open referral for the drug."""
    membership = getattr(request, "membership", None)
    role = membership.role if membership is not None else ""
    if not (has_perm(role, Perm.ACCESS_EDIT) or has_perm(role, Perm.ORDER_SIGN)):
        raise HttpError(403, "Your role does not allow entering orders.")
    org = _org(request)
    fields = payload.dict(exclude_none=True)
    patient = _one(Patient, org, payload.patient, "patient", "patient")
    fields.pop("patient")
    drug = _one(Drug, org, payload.drug, "drug", "drug")
    fields["drug"] = drug
    fields["ordering_provider"] = _one(
        ReferringProvider, org, payload.ordering_provider, "ordering_provider", "provider"
    )
    if payload.referral is not None:
        fields["referral"] = _one(Referral, org, payload.referral, "referral", "referral")
    if payload.regimen_template is not None:
        template = regimen_template(drug=drug, public_id=payload.regimen_template)
        if template is None:
            raise ValidationError({"regimen_template": "No such regimen for that drug."})
        fields["regimen_template"] = template
    try:
        order = referral_services.order_create(
            organization=org, user=request.user, patient=patient, **fields
        )
    except referral_services.DuplicateOrderError as exc:
        return Status(
            409,
            {
                "detail": "; ".join(exc.messages),
                "existing_order": exc.existing.public_id,
                "existing_status": exc.existing.status,
            },
        )
    return Status(
        201,
        {
            "public_id": order.public_id,
            "patient": patient.public_id,
            "drug": drug.generic_name,
            "status": order.status,
            "referral": order.referral.public_id if order.referral else None,
            "signed": order.is_signed,
        },
    )


# --- /api/v1/authorizations: the prior authorizations the access pages show -----------------

authorizations_router = Router(tags=["authorizations"])


class AuthorizationOut(Schema):
    public_id: UUID
    patient_id: UUID
    patient: str
    order_id: UUID
    drug: str
    payer: str
    status: str
    status_label: str
    status_changed_on: dt.date
    authorization_number: str
    hcpcs: str
    units_authorized: int | None
    visits_authorized: int | None
    units_used: int
    visits_used: int
    start_on: dt.date | None
    end_on: dt.date | None
    submitted_on: dt.date | None
    decided_on: dt.date | None
    appeal_deadline: dt.date | None


class AuthorizationPageOut(Schema):
    count: int
    results: list[AuthorizationOut]


def _authorization_rows(found: list[PriorAuthorization]) -> list[dict[str, Any]]:
    used = auth_selectors.usage_totals_many((a.pk, None) for a in found)
    labels = dict(PriorAuthorization.STATUS_CHOICES)
    rows = []
    for a in found:
        visits, units = used.get((a.pk, None), (0, 0))
        rows.append(
            {
                **{f: getattr(a, f) for f in AUTHORIZATION_FIELDS},
                "patient_id": a.patient.public_id,
                "patient": a.patient.full_name,
                "order_id": a.order.public_id,
                "drug": a.order.drug.generic_name,
                "payer": a.coverage.payer.name,
                "status_label": labels.get(a.status, a.status),
                "units_used": units,
                "visits_used": visits,
            }
        )
    return rows


AUTHORIZATION_FIELDS = (
    "public_id",
    "status",
    "status_changed_on",
    "authorization_number",
    "hcpcs",
    "units_authorized",
    "visits_authorized",
    "start_on",
    "end_on",
    "submitted_on",
    "decided_on",
    "appeal_deadline",
)


@authorizations_router.get("", response=AuthorizationPageOut)
def list_authorizations(
    request: ApiRequest,
    *,
    patient: UUID | None = None,
    status: str = "",
    order: UUID | None = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    offset: Offset = 0,
    limit: Limit = 25,
) -> Any:
    """Prior authorizations, newest first, with the visits and units used so far; a date
    range keeps those whose approved period overlaps it. ``status``: one of the
    authorization states (pending, submitted, approved, …)."""
    require(request, Perm.PATIENT_VIEW)
    check_range(date_from, date_to)
    if status and status not in dict(PriorAuthorization.STATUS_CHOICES):
        known = ", ".join(dict(PriorAuthorization.STATUS_CHOICES))
        raise HttpError(400, f"status: one of {known}.")
    found = auth_selectors.authorizations(
        organization=_org(request),
        patient=patient,
        status=status,
        order=order,
        active_from=date_from,
        active_to=date_to,
    )
    total, rows = page(found, offset, limit)
    return {"count": total, "results": _authorization_rows(rows)}


@authorizations_router.get("/{public_id}", response=AuthorizationOut)
def get_authorization(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.PATIENT_VIEW)
    found = auth_selectors.access_authorization(organization=_org(request), public_id=public_id)
    return _authorization_rows([found])[0]
