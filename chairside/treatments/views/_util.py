"""Shared by the visit pages: the step page context, and htmx answers to a save."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, client_ip
from chairside.tenancy.access import OrgRequest, can
from chairside.tenancy.roles import Perm
from chairside.treatments import selectors
from chairside.treatments.models import Visit

UNPROCESSABLE = 422  # bad input to an htmx save: the page shows the message in place


def get_visit(request: OrgRequest, public_id: Any) -> Visit:
    return selectors.access_visit(organization=request.organization, public_id=public_id)


def visit_context(request: OrgRequest, visit: Visit, step: str) -> dict[str, Any]:
    """What every step page shows: the banner, the step bar, what is missing."""
    missing = selectors.visit_missing(visit)
    patient = visit.patient
    return {
        "visit": visit,
        "patient": patient,
        "order": visit.order,
        "drug": visit.order.drug,
        "step": step,
        "steps": selectors.step_status(visit, missing),
        "missing": missing,
        "missing_here": [m for s, m in missing if s == step],
        "age": patient.age_on(visit.date),
        "can_edit": can(request, Perm.CLINICAL_EDIT) and not visit.is_signed,
        "supervision_warning": selectors.supervision_warning(visit),
        "now": timezone.localtime(timezone.now(), visit.location.tz),
    }


def render_step(
    request: OrgRequest, visit: Visit, step: str, extra: dict[str, Any], status: int = 200
) -> HttpResponse:
    if request.method == "GET":
        audit_record(
            action=AuditEvent.Action.VIEW,
            user=request.user,
            organization=request.organization,
            obj=visit,
            patient=visit.patient,
            ip_address=client_ip(request),
        )
    context = {**visit_context(request, visit, step), **extra}
    return render(request, f"treatments/step_{step}.html", context, status=status)


def saved(
    request: OrgRequest,
    visit: Visit,
    *,
    step: str,
    partials: dict[str, dict[str, Any]] | None = None,
    message: str = "",
) -> HttpResponse:
    """The answer to a successful htmx save: a status line plus fresh pieces of the page
    (out-of-band: the step bar, what is missing, and any partials named)."""
    visit.refresh_from_db()
    context = visit_context(request, visit, step)
    with timezone.override(visit.location.tz):
        return HttpResponse("".join(_pieces(request, context, message, partials)))


def _pieces(
    request: OrgRequest,
    context: dict[str, Any],
    message: str,
    partials: dict[str, dict[str, Any]] | None,
) -> list[str]:
    html: list[str] = [
        render_to_string("treatments/_saved.html", {**context, "message": message}, request)
    ]
    html.append(render_to_string("treatments/_stepbar.html", {**context, "oob": True}, request))
    html.append(render_to_string("treatments/_missing.html", {**context, "oob": True}, request))
    for template, extra in (partials or {}).items():
        html.append(
            render_to_string(f"treatments/{template}", {**context, **extra, "oob": True}, request)
        )
    return html


def refused(request: OrgRequest, error: ValidationError | list[str]) -> HttpResponse:
    """The answer to a refused htmx save: the message in place, nothing saved."""
    messages = error if isinstance(error, list) else error.messages
    html = render_to_string("treatments/_refused.html", {"errors": messages}, request)
    return HttpResponse(html, status=UNPROCESSABLE)


def form_errors(form: Any) -> list[str]:
    found: list[str] = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        found.extend(f"{label}: {e}" if label else str(e) for e in errors)
    return found


def attempt(call: Callable[[], Any]) -> tuple[Any, ValidationError | None]:
    """Run a service call; (result, None) or (None, the ValidationError)."""
    try:
        return call(), None
    except ValidationError as exc:
        return None, exc
