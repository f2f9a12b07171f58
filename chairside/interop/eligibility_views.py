"""Eligibility (X12 270/271) pages: check a benefits check's coverage, review the payer's
answer beside the benefits on file, confirm it or keep the benefits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chairside.access.authorizations.selectors import access_benefits
from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.interop import eligibility, selectors
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


ELIGIBILITY_CSV = export_columns(
    "interop:eligibility_list",
    "eligibility-checks.csv",
    "Eligibility checks (270/271)",
    [
        ("sent", lambda x: x.created_at),
        ("sent_by", lambda x: str(x.requested_by or "")),
        ("patient_mrn", lambda x: x.patient.mrn),
        ("asked_about", lambda x: x.asked_for),
        ("trace_number", lambda x: x.trace_number),
        ("how", lambda x: x.get_trigger_display()),
        ("status", lambda x: x.get_status_display()),
        ("differences_open", lambda x: len(x.open_changes)),
        ("error", lambda x: x.error),
    ],
)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def eligibility_check(request: OrgRequest, public_id: str) -> HttpResponse:
    check = access_benefits(organization=request.organization, public_id=public_id)
    try:
        exchange = eligibility.eligibility_check(benefits=check, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return render(
            request,
            "interop/eligibility_list.html",
            _list_context(request, check),
            status=400,
        )
    return redirect("interop:eligibility", public_id=exchange.public_id)


@require_perm(Perm.PATIENT_VIEW)
def eligibility_list(request: OrgRequest, public_id: str) -> HttpResponse:
    check = access_benefits(organization=request.organization, public_id=public_id)
    if wants_csv(request):
        found = selectors.exchanges_for(organization=request.organization, benefits=check)
        return csv_response(request, ELIGIBILITY_CSV, found)
    return render(request, "interop/eligibility_list.html", _list_context(request, check))


def _list_context(request: OrgRequest, check: Any) -> dict[str, Any]:
    found = selectors.exchanges_for(organization=request.organization, benefits=check)
    return {"check": check, "exchanges": found[:50], "can_edit": can(request, Perm.ACCESS_EDIT)}


@require_perm(Perm.PATIENT_VIEW)
def eligibility_review(request: OrgRequest, public_id: str) -> HttpResponse:
    exchange = selectors.access_exchange(organization=request.organization, public_id=public_id)
    context = {
        "exchange": exchange,
        "check": exchange.benefits,
        "rows": selectors.comparison(exchange) if exchange.proposed else [],
        "plan_facts": selectors.plan_facts(exchange),
        "earlier": selectors.exchanges_for(
            organization=request.organization, benefits=exchange.benefits
        ).exclude(pk=exchange.pk)[:10],
        "can_edit": can(request, Perm.ACCESS_EDIT),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "interop/eligibility_review.html", context, status=status)


def _act(
    request: OrgRequest, public_id: str, action: Callable[..., Any], done: str
) -> HttpResponse:
    exchange = selectors.access_exchange(organization=request.organization, public_id=public_id)
    try:
        action(exchange=exchange, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return eligibility_review(request, public_id)
    messages.success(request, done)
    return redirect("interop:eligibility", public_id=exchange.public_id)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def eligibility_confirm(request: OrgRequest, public_id: str) -> HttpResponse:
    return _act(
        request,
        public_id,
        eligibility.eligibility_confirm,
        "The payer's answer is now the verified benefits.",
    )


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def eligibility_dismiss(request: OrgRequest, public_id: str) -> HttpResponse:
    return _act(
        request, public_id, eligibility.eligibility_dismiss, "Reviewed: the benefits are kept."
    )


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def eligibility_collect(request: OrgRequest, public_id: str) -> HttpResponse:
    exchange = selectors.access_exchange(organization=request.organization, public_id=public_id)
    exchange = eligibility.eligibility_collect(exchange=exchange, user=request.user)
    if exchange.status == exchange.Status.SENT:
        messages.info(request, "No answer from the payer yet.")
    return redirect("interop:eligibility", public_id=exchange.public_id)
