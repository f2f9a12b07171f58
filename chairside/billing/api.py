"""Claims API: list, read, check and export claims — the same selectors and services as the
pages. Money is returned as decimal strings, never floats."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from ninja import Router, Schema
from ninja.responses import Status

from chairside.api.auth import ApiRequest, require
from chairside.api.auth import active_organization as _org
from chairside.api.params import Offset
from chairside.billing import selectors, services
from chairside.billing.models import Claim
from chairside.tenancy.roles import Perm

router = Router(tags=["claims"])


class ProblemOut(Schema):
    code: str
    message: str


class ClaimOut(Schema):
    public_id: UUID
    control_number: str
    state: str
    sequence: int
    payer: str
    patient_id: UUID
    date_of_service: dt.date
    total_charge: str
    expected_payer: str
    paid: str
    patient_responsibility: str
    problems: list[ProblemOut]


class LineOut(Schema):
    line_number: int
    code: str
    modifiers: str
    units: int
    ndc: str
    diagnosis_pointers: str
    charge: str
    paid: str
    status: str


class ClaimDetailOut(ClaimOut):
    lines: list[LineOut]


class ClaimPageOut(Schema):
    count: int
    results: list[ClaimOut]


class ExportIn(Schema):
    claims: list[UUID]


class ExportOut(Schema):
    public_id: UUID
    control_number: int
    claim_count: int
    total_charge: str


def _claim(claim: Claim) -> dict[str, Any]:
    return {
        "public_id": claim.public_id,
        "control_number": claim.control_number,
        "state": claim.state,
        "sequence": claim.sequence,
        "payer": claim.payer.name,
        "patient_id": claim.patient.public_id,
        "date_of_service": claim.encounter.date_of_service,
        "total_charge": str(claim.total_charge),
        "expected_payer": str(claim.expected_payer),
        "paid": str(claim.paid),
        "patient_responsibility": str(claim.patient_responsibility),
        "problems": claim.problems,
    }


@router.get("", response=ClaimPageOut)
def list_claims(
    request: ApiRequest, state: str = "", q: str = "", offset: Offset = 0, limit: int = 25
) -> Any:
    require(request, Perm.BILLING_VIEW)
    found = selectors.claims_search(organization=_org(request), state=state, query=q)
    limit = max(1, min(limit, 100))
    page = found[max(0, offset) : max(0, offset) + limit]
    return {"count": found.count(), "results": [_claim(c) for c in page]}


@router.post("/export", response={201: ExportOut})
def export_claims(request: ApiRequest, payload: ExportIn) -> Any:
    """Write one claim file for ready claims of one form (837P, or 837I for a hospital
    outpatient department's claims) and mark them submitted (400 lists what blocks)."""
    require(request, Perm.BILLING_EDIT)
    claims = [
        selectors.access_claim(organization=_org(request), public_id=pid) for pid in payload.claims
    ]
    export = services.claims_export(organization=_org(request), claims=claims, user=request.user)
    return Status(
        201,
        {
            "public_id": export.public_id,
            "control_number": export.control_number,
            "claim_count": export.claim_count,
            "total_charge": str(export.total_charge),
        },
    )


@router.get("/exports/{public_id}/837p")
def download_837p(request: ApiRequest, public_id: UUID) -> HttpResponse:
    require(request, Perm.BILLING_VIEW)
    export = selectors.access_export(organization=_org(request), public_id=public_id)
    response = HttpResponse(export.content, content_type="application/edi-x12")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@router.get("/{public_id}", response=ClaimDetailOut)
def get_claim(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.BILLING_VIEW)
    claim = selectors.access_claim(organization=_org(request), public_id=public_id)
    items = claim.items.select_related("line").order_by("line_number")
    return {
        **_claim(claim),
        "lines": [
            {
                "line_number": i.line_number,
                "code": i.line.code,
                "modifiers": i.line.modifiers,
                "units": i.line.units,
                "ndc": i.line.ndc,
                "diagnosis_pointers": i.line.diagnosis_pointers,
                "charge": str(i.charge),
                "paid": str(i.paid),
                "status": i.status,
            }
            for i in items
        ],
    }


@router.post("/{public_id}/check", response=ClaimOut)
def check_claim(request: ApiRequest, public_id: UUID) -> Any:
    """Run the pre-submission check; the claim's ``problems`` list what blocks it."""
    require(request, Perm.BILLING_EDIT)
    claim = selectors.access_claim(organization=_org(request), public_id=public_id)
    services.claim_check(claim=claim, user=request.user)
    claim.refresh_from_db()
    return _claim(claim)
