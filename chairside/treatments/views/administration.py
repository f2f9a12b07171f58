"""Step 3: give the drug — start, rate steps, interruptions, stop — and reactions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_POST

from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.roles import Perm
from chairside.treatments import selectors, services
from chairside.treatments.forms import (
    DoseGivenForm,
    OrderItemForm,
    OutcomeForm,
    PauseForm,
    RateForm,
    ReactionForm,
    ResumeForm,
    StartForm,
    StopForm,
    VitalsForm,
    at_visit,
    set_choices,
    staff_choices,
)
from chairside.treatments.models import Administration, Visit
from chairside.treatments.services.order_sets import ordered_set
from chairside.treatments.views._util import (
    attempt,
    form_errors,
    get_visit,
    refused,
    render_step,
    saved,
)


def _order_set_rows(
    visit: Visit, source: str, administrations: list[Administration]
) -> list[dict[str, Any]]:
    """Each ordered item with what was given of it (for one-click giving)."""
    chosen = ordered_set(visit, source)
    if chosen is None:
        return []
    rows = []
    for item in chosen.items:
        given = [a for a in administrations if a.order_item == f"{source}:{item.key}"]
        oral = item.method == "oral"
        rows.append(
            {
                "source": source,
                "item": item,
                "given": given,
                "documented": oral and item.name.lower() in visit.premeds_given.lower(),
                "givable": bool(item.method),
            }
        )
    return rows


def administration_extra(visit: Visit) -> dict[str, Any]:
    providers = selectors.providers(organization=visit.organization)
    reaction_form = ReactionForm()
    set_choices(reaction_form, "provider_notified", staff_choices(providers))
    administrations = list(
        visit.administrations.prefetch_related("rates", "interruptions").order_by("started_at")
    )
    return {
        "administrations": administrations,
        "primary": next((a for a in administrations if a.is_primary), None),
        "running_others": [a for a in administrations if not a.is_primary and a.is_running],
        "premed_rows": _order_set_rows(visit, "premed", administrations),
        "protocol_rows": _order_set_rows(visit, "protocol", administrations),
        "premed_set": visit.order.premedication_order_set,
        "protocol": visit.order.ordered_protocol,
        "prep": selectors.preparation_of(visit),
        "start_form": StartForm(initial={"method": "infusion"}),
        "other_form": StartForm(
            initial={"method": "infusion"}, auto_id="other_%s", organization=visit.organization
        ),
        "rate_form": RateForm(),
        "pause_form": PauseForm(),
        "resume_form": ResumeForm(),
        "stop_form": StopForm(initial={"stop_reason": "completed"}),
        "dose_form": DoseGivenForm(),
        "reaction_form": reaction_form,
        "outcome_form": OutcomeForm(),
        "reactions": list(visit.reactions.select_related("provider_notified")),
        "vitals_form": VitalsForm(initial={"phase": "during"}),
        "vitals": [v for v in visit.vitals.all() if v.phase == "during"],
        "phase": "during",
    }


@require_perm(Perm.PATIENT_VIEW)
def administration(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    return render_step(request, visit, "administration", administration_extra(visit))


def _answer(
    request: OrgRequest, visit: Visit, call: Callable[[], Any], message: str
) -> HttpResponse:
    _, error = attempt(call)
    if error is not None:
        return refused(request, error)
    visit.refresh_from_db()
    return saved(
        request,
        visit,
        step="administration",
        partials={"_administration.html": administration_extra(visit)},
        message=message,
    )


def _admin(visit: Visit, admin_id: str) -> Administration:
    return selectors.access_administration(visit=visit, public_id=admin_id)


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def start(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    form = StartForm(request.POST, organization=visit.organization)
    if not form.is_valid():
        return refused(request, form_errors(form))
    data = dict(form.cleaned_data)
    data["started_at"] = at_visit(visit, data["started_at"])
    data["stopped_at"] = at_visit(visit, data["stopped_at"])
    return _answer(
        request,
        visit,
        lambda: services.administration_start(visit=visit, user=request.user, **data),
        "Started.",
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def action(request: OrgRequest, public_id: str, admin_id: str, what: str) -> HttpResponse:
    """Rate change, interruption, resume, stop or dose given for one administration."""
    visit = get_visit(request, public_id)
    admin = _admin(visit, admin_id)
    if what not in ACTIONS:
        raise Http404("No such action.")
    form_class, service, times, message = ACTIONS[what]
    form = form_class(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form))
    data = {k: at_visit(visit, v) if k in times else v for k, v in form.cleaned_data.items()}
    return _answer(
        request, visit, lambda: service(administration=admin, user=request.user, **data), message
    )


ACTIONS: dict[str, tuple[Any, Callable[..., Any], set[str], str]] = {
    "rate": (RateForm, services.administration_rate, {"at"}, "Rate changed."),
    "pause": (PauseForm, services.administration_pause, {"started_at"}, "Interruption recorded."),
    "resume": (ResumeForm, services.administration_resume, {"ended_at"}, "Resumed."),
    "stop": (StopForm, services.administration_stop, {"stopped_at"}, "Stopped."),
    "dose": (DoseGivenForm, services.administration_record_dose, set(), "Dose given recorded."),
}


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def order_item(request: OrgRequest, public_id: str) -> HttpResponse:
    """Give one ordered premedication or protocol drug (dose, route, time; the nurse)."""
    visit = get_visit(request, public_id)
    form = OrderItemForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form))
    data = dict(form.cleaned_data)
    data["given_at"] = at_visit(visit, data["given_at"])
    return _answer(
        request,
        visit,
        lambda: services.order_item_give(visit=visit, user=request.user, **data),
        "Given and recorded.",
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def reaction(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    form = ReactionForm(request.POST)
    providers = selectors.providers(organization=visit.organization)
    set_choices(form, "provider_notified", staff_choices(providers))
    if not form.is_valid():
        return refused(request, form_errors(form))
    data = dict(form.cleaned_data)
    data["onset_at"], data["notified_at"] = (
        at_visit(visit, data["onset_at"]),
        at_visit(visit, data["notified_at"]),
    )
    chosen = data["provider_notified"]
    data["provider_notified"] = providers.filter(pk=chosen).first() if chosen else None
    return _answer(
        request,
        visit,
        lambda: services.reaction_record(visit=visit, user=request.user, **data),
        "Reaction recorded.",
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def outcome(request: OrgRequest, public_id: str, reaction_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    found = selectors.access_reaction(visit=visit, public_id=reaction_id)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form))
    data = dict(form.cleaned_data)
    data["outcome_at"] = at_visit(visit, data["outcome_at"])
    return _answer(
        request,
        visit,
        lambda: services.reaction_outcome(reaction=found, user=request.user, **data),
        "Outcome recorded.",
    )
