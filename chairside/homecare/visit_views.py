"""The home visit documentation page (a nurse's tablet in the patient's home) and its
entries: vitals, doses given, reactions, times and notes, the sign-off, addenda.

Each entry is a plain form POST (redirect back to the page, or the page with the errors
and 400). The page's script (``homecare/visit_offline.js``) sends the same POST with
``Accept: application/json`` when it replays entries kept on the tablet while offline:
the answer is then ``{"ok": true}`` (201), or the errors with 400; a resent entry is
recognised by its ``client_id`` and recorded once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chairside.core.forms_util import add_service_errors
from chairside.homecare import selectors, services
from chairside.homecare.models import HomeVisit
from chairside.homecare.visit_forms import (
    AddendumForm,
    HomeAdministrationForm,
    HomeReactionForm,
    HomeVitalsForm,
    TimesForm,
    at_visit,
)
from chairside.rules.clinical.home_visit import missing_for_signing
from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.roles import Perm
from chairside.treatments.forms import set_choices, staff_choices
from chairside.treatments.selectors import providers

TEMPLATE = "homecare/visit_document.html"


def _visit(request: OrgRequest, public_id: str) -> HomeVisit:
    return selectors.access_home_visit(
        organization=request.organization,
        public_id=public_id,
        user=request.user,
        role=request.membership.role,
    )


def _admin_form(visit: HomeVisit, data: Any = None) -> HomeAdministrationForm:
    return HomeAdministrationForm(
        data, orders=services.visit_orders(visit), lots=services.delivered_lots(visit)
    )


def _reaction_form(request: OrgRequest, data: Any = None) -> HomeReactionForm:
    form = HomeReactionForm(data)
    set_choices(
        form, "provider_notified", staff_choices(providers(organization=request.organization))
    )
    return form


def _page(request: OrgRequest, visit: HomeVisit, status: int = 200, **bound: Any) -> HttpResponse:
    state = services.home_visit_state(visit)
    context = {
        "visit": visit,
        "patient": visit.patient,
        "orders": services.visit_orders(visit),
        "vitals": list(visit.vitals.all()),
        "administrations": list(visit.administrations.select_related("drug", "lot")),
        "reactions": list(visit.reactions.select_related("provider_notified")),
        "addenda": list(visit.addenda.all()),
        "missing": missing_for_signing(state) if not visit.is_signed else [],
        "may_sign": services.may_sign(visit, request.user),
        "is_open": not visit.is_signed and visit.status == HomeVisit.Status.SCHEDULED,
        "times_form": bound.get("times_form") or TimesForm.for_visit(visit),
        "vitals_form": bound.get("vitals_form") or HomeVitalsForm(initial={"phase": "pre"}),
        "admin_form": bound.get("admin_form") or _admin_form(visit),
        "reaction_form": bound.get("reaction_form") or _reaction_form(request),
        "addendum_form": bound.get("addendum_form") or AddendumForm(),
        "refused": bound.get("sign_form") or bound.get("stop_form"),
        "tz": visit.location.tz,
    }
    return render(request, TEMPLATE, context, status=status)


def _required(moment: dt.datetime | None) -> dt.datetime:
    """A required time field's value (the form refused it empty)."""
    if moment is None:
        raise ValidationError("Give the time.")
    return moment


def _wants_json(request: OrgRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _errors(form: forms.BaseForm) -> list[str]:
    return [str(m) for errors in form.errors.values() for m in errors]


def _entry(
    request: OrgRequest,
    visit: HomeVisit,
    *,
    form: forms.BaseForm,
    key: str,
    save: Callable[[], object],
    done: str,
) -> HttpResponse:
    """Validate, call the service, answer: JSON for the tablet's queue, else the page."""
    if form.is_valid():
        try:
            save()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if _wants_json(request):
                return JsonResponse({"ok": True, "message": done}, status=201)
            messages.success(request, done)
            return redirect(reverse("homecare:visit_document", args=[visit.public_id]))
    if _wants_json(request):
        return JsonResponse({"ok": False, "errors": _errors(form)}, status=400)
    return _page(request, visit, status=400, **{key: form})


@require_perm(Perm.CLINICAL_EDIT)
def document(request: OrgRequest, public_id: str) -> HttpResponse:
    return _page(request, _visit(request, public_id))


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def vitals(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = _visit(request, public_id)
    form = HomeVitalsForm(request.POST)

    def save() -> object:
        d = form.cleaned_data
        return services.home_vitals_record(
            home_visit=visit,
            user=request.user,
            client_id=d["client_id"],
            client_entered_at=d["entered_at"],
            phase=d["phase"],
            taken_at=at_visit(visit, d["taken_at"]),
            **{k: d[k] for k in ("systolic", "diastolic", "pulse", "spo2", "respiratory_rate")},
            temperature_c=d["temperature_c"],
        )

    return _entry(
        request, visit, form=form, key="vitals_form", save=save, done="Vital signs saved."
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def administration(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = _visit(request, public_id)
    form = _admin_form(visit, request.POST)

    def save() -> object:
        d = form.resolved()
        return services.home_administration_record(
            home_visit=visit,
            user=request.user,
            client_id=d["client_id"],
            client_entered_at=d["entered_at"],
            home_order=d["home_order"],
            lot=d["lot"],
            lot_number=d["lot_number"],
            dose_amount=d["dose_amount"],
            dose_unit=d["dose_unit"],
            method=d["method"],
            site=d["site"],
            started_at=_required(at_visit(visit, d["started_at"])),
            stopped_at=at_visit(visit, d["stopped_at"]),
            notes=d["notes"],
        )

    return _entry(
        request, visit, form=form, key="admin_form", save=save, done="Dose given recorded."
    )


class StopForm(forms.Form):
    stopped_at = forms.TimeField()


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def administration_stop(request: OrgRequest, public_id: str, admin_id: str) -> HttpResponse:
    visit = _visit(request, public_id)
    row = selectors.visit_administration(visit, admin_id)
    if row is None:
        raise Http404("No such dose on this visit.")
    form = StopForm(request.POST)

    def save() -> object:
        stopped = _required(at_visit(visit, form.cleaned_data["stopped_at"]))
        return services.home_administration_stop(
            administration=row, user=request.user, stopped_at=stopped
        )

    return _entry(request, visit, form=form, key="stop_form", save=save, done="Stop time recorded.")


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def reaction(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = _visit(request, public_id)
    form = _reaction_form(request, request.POST)

    def save() -> object:
        d = form.cleaned_data
        chosen = d["provider_notified"]
        return services.home_reaction_record(
            home_visit=visit,
            user=request.user,
            client_id=d["client_id"],
            client_entered_at=d["entered_at"],
            onset_at=_required(at_visit(visit, d["onset_at"])),
            grade=d["grade"],
            signs=d["signs"],
            signs_other=d["signs_other"],
            actions=d["actions"],
            actions_other=d["actions_other"],
            provider_notified=providers(organization=request.organization).filter(pk=chosen).first()
            if chosen
            else None,
            notified_at=at_visit(visit, d["notified_at"]),
            outcome=d["outcome"],
            outcome_at=at_visit(visit, d["outcome_at"]),
            notes=d["notes"],
        )

    return _entry(
        request, visit, form=form, key="reaction_form", save=save, done="Reaction recorded."
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def times(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = _visit(request, public_id)
    form = TimesForm(request.POST)

    def save() -> object:
        d = form.cleaned_data
        return services.home_visit_times_and_notes(
            home_visit=visit,
            user=request.user,
            arrived_at=at_visit(visit, d["arrived_at"]),
            departed_at=at_visit(visit, d["departed_at"]),
            notes=d["notes"],
        )

    return _entry(
        request, visit, form=form, key="times_form", save=save, done="Times and notes saved."
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def sign(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = _visit(request, public_id)
    form = forms.Form(request.POST)

    def save() -> object:
        return services.home_visit_sign(home_visit=visit, user=request.user)

    return _entry(
        request, visit, form=form, key="sign_form", save=save, done="Visit signed and locked."
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def addendum(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = _visit(request, public_id)
    form = AddendumForm(request.POST)

    def save() -> object:
        return services.home_visit_addendum(
            home_visit=visit, user=request.user, text=form.cleaned_data["text"]
        )

    return _entry(request, visit, form=form, key="addendum_form", save=save, done="Addendum added.")
