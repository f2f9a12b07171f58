"""Step 4: observation and discharge; step 5: sign; then the signed record and addenda."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.models import StaffMember
from chairside.tenancy.roles import Perm
from chairside.treatments import selectors, services
from chairside.treatments.forms import (
    AddendumForm,
    DischargeForm,
    VitalsForm,
    at_visit,
    set_choices,
    staff_choices,
)
from chairside.treatments.models import Visit
from chairside.treatments.services._common import person_name
from chairside.treatments.services.report_data import report_data
from chairside.treatments.views._util import (
    attempt,
    form_errors,
    get_visit,
    refused,
    render_step,
    saved,
    visit_context,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _clock(visit: Visit, moment: dt.datetime | None) -> dt.time | None:
    local = visit.local(moment)
    return local.time() if local is not None else None


def _provider(visit: Visit, value: str) -> StaffMember | None:
    if not value:
        return None
    return selectors.providers(organization=visit.organization).filter(pk=value).first()


def _provider_choices(visit: Visit) -> list[tuple[str, str]]:
    return staff_choices(selectors.providers(organization=visit.organization))


def discharge_extra(visit: Visit, form: Any = None) -> dict[str, Any]:
    if form is None:
        form = DischargeForm(
            initial={
                "discharged_at": _clock(visit, visit.discharged_at),
                "discharge_condition": visit.discharge_condition,
                "early_discharge_reason": visit.early_discharge_reason,
                "supervising_provider": visit.supervising_provider_id or "",
            }
        )
    set_choices(form, "supervising_provider", _provider_choices(visit))
    ends = selectors.observation_end(visit)
    return {
        "form": form,
        "observation_end": visit.local(ends) if ends else None,
        "observation_minutes": visit.order.drug.observation_minutes,
        "vitals_form": VitalsForm(initial={"phase": "post"}),
        "vitals": [v for v in visit.vitals.all() if v.phase == "post"],
        "phase": "post",
    }


@require_perm(Perm.PATIENT_VIEW)
def discharge(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    return render_step(request, visit, "discharge", discharge_extra(visit))


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def discharge_save(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    form = DischargeForm(request.POST)
    set_choices(form, "supervising_provider", _provider_choices(visit))
    if not form.is_valid():
        return refused(request, form_errors(form))
    data = form.cleaned_data
    provider = _provider(visit, data["supervising_provider"])
    _, error = attempt(
        lambda: services.visit_discharge(
            visit=visit,
            user=request.user,
            discharged_at=at_visit(visit, data["discharged_at"]),
            condition=data["discharge_condition"],
            early_discharge_reason=data["early_discharge_reason"],
            supervising_provider=provider,
        )
    )
    if error is not None:
        return refused(request, error)
    return saved(request, visit, step="discharge", partials={"_supervision.html": {}})


@require_perm(Perm.PATIENT_VIEW)
def sign(request: OrgRequest, public_id: str) -> HttpResponse:
    """The review before signing: everything documented, and what is still missing."""
    visit = get_visit(request, public_id)
    if visit.is_signed:
        return redirect("treatments:summary", public_id=visit.public_id)
    return render_step(request, visit, "sign", record_extra(visit, request.user))


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def sign_confirm(request: OrgRequest, public_id: str) -> HttpResponse:
    """Sign and lock; refused with the exact list of what is missing (nothing changes)."""
    visit = get_visit(request, public_id)
    _, error = attempt(lambda: services.visit_sign(visit=visit, user=request.user))
    if error is None:
        messages.success(
            request, "Visit signed. The treatment report is queued for the referring physician."
        )
        return redirect("treatments:summary", public_id=visit.public_id)
    extra = {**record_extra(visit, request.user), "sign_errors": error.messages}
    return render_step(request, visit, "sign", extra, status=422)


def record_extra(visit: Visit, user: User | None = None) -> dict[str, Any]:

    return {
        "signer": person_name(user, visit.organization) if user is not None else "",
        "r": report_data(visit),
        "reports": list(visit.reports.select_related("recipient").order_by("version")),
        "addenda": list(visit.addenda.all()),
    }


@require_perm(Perm.PATIENT_VIEW)
def summary(request: OrgRequest, public_id: str) -> HttpResponse:
    """The signed record, its reports and addenda (and the addendum form)."""
    visit = get_visit(request, public_id)
    if not visit.is_signed:
        return redirect("treatments:visit", public_id=visit.public_id)
    context = {
        **visit_context(request, visit, "sign"),
        **record_extra(visit),
        "addendum_form": AddendumForm(),
        "can_addend": can(request, Perm.CLINICAL_EDIT),
    }
    return render(request, "treatments/summary.html", context)


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def addendum(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        _, error = attempt(
            lambda: services.addendum_add(visit=visit, user=request.user, **form.cleaned_data)
        )
        if error is None:
            messages.success(request, "Addendum added; the report is re-issued as amended.")
            return redirect("treatments:summary", public_id=visit.public_id)
        messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(form_errors(form)))
    return redirect("treatments:summary", public_id=visit.public_id)
