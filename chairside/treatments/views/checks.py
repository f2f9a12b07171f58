"""Step 1: the check-in checks, saved field by field; consent; vital signs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.rules.clinical.visit_checks import weight_change_percent
from chairside.rules.clinical.vitals import kg_to_lb
from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.roles import Perm
from chairside.treatments import selectors, services
from chairside.treatments.forms import ChecksForm, ConsentForm, NewAllergyForm, VitalsForm, at_visit
from chairside.treatments.models import Visit
from chairside.treatments.views._util import (
    attempt,
    form_errors,
    get_visit,
    refused,
    render_step,
    saved,
)

CHECK_PARTIALS = (
    "_dose_plan.html",
    "_labs.html",
    "_allergy_line.html",
    "_allergy_status.html",
)
VITALS_STEP = {"pre": "checks", "during": "administration", "post": "discharge"}


def checks_initial(visit: Visit) -> dict[str, Any]:
    fields = ChecksForm.base_fields
    initial = {name: getattr(visit, name) for name in fields if hasattr(visit, name)}
    initial["allergies_reviewed"] = visit.allergies_reviewed_at is not None
    # The stored kg shown in lb (the scale's unit in US centers); saved again it gives the
    # same kg (rules.vitals: the round trip does not drift).
    initial["weight"] = None if visit.weight_kg is None else kg_to_lb(visit.weight_kg)
    initial["weight_unit"] = "lb"
    if visit.premeds_at:
        initial["premeds_at"] = timezone.localtime(visit.premeds_at, visit.location.tz).time()
    initial.update({f"touch_{k}": v for k, v in visit.program_answers.items()})
    return initial


def checks_extra(visit: Visit) -> dict[str, Any]:
    return {
        "form": ChecksForm(initial=checks_initial(visit)),
        "consent": selectors.current_consent(visit),
        "consent_problem": selectors.visit_consent_problem(visit),
        "consent_form": ConsentForm(initial={"signer_name": visit.patient.full_name}),
        "vitals_form": VitalsForm(initial={"phase": "pre"}),
        "vitals": [v for v in visit.vitals.all() if v.phase == "pre"],
        "dose_plan": selectors.dose_plan(visit),
        "weight_change": _weight_change(visit),
        "band_changed": selectors.weight_band_changed(visit),
        "allergy_form": NewAllergyForm(),
        "allergy_conflicts": selectors.visit_allergy_conflicts(visit),
        "labs_due": selectors.labs_due_messages(visit),
        "program": selectors.program_required(visit),
    }


def _weight_change(visit: Visit) -> Decimal | None:
    ordered = visit.order.weight_kg_at_order
    if ordered is None or visit.weight_kg is None:
        return None
    return weight_change_percent(Decimal(ordered), Decimal(visit.weight_kg))


@require_perm(Perm.PATIENT_VIEW)
def checks(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    return render_step(request, visit, "checks", checks_extra(visit))


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def checks_save(request: OrgRequest, public_id: str) -> HttpResponse:
    """Save the field(s) just changed (``_field`` names the one the page sent)."""
    visit = get_visit(request, public_id)
    form = ChecksForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form))
    posted = set(request.POST.getlist("_field")) or {
        k for k in request.POST if not k.startswith("_") and k != "csrfmiddlewaretoken"
    }
    changes = form.changes(visit, posted)
    _, error = attempt(lambda: services.visit_update(visit=visit, user=request.user, **changes))
    if error is not None:
        return refused(request, error)
    visit.refresh_from_db()
    if request.POST.get("_step") == "discharge":  # the nursing notes on the discharge page
        return saved(request, visit, step="discharge")
    extra = checks_extra(visit)
    return saved(request, visit, step="checks", partials=dict.fromkeys(CHECK_PARTIALS, extra))


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def allergy_new(request: OrgRequest, public_id: str) -> HttpResponse:
    """A new allergy typed at check-in: on the chart, in the banner and checked at once."""
    visit = get_visit(request, public_id)
    form = NewAllergyForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form))
    allergy, error = attempt(
        lambda: services.visit_allergy_add(visit=visit, user=request.user, **form.cleaned_data)
    )
    if error is not None:
        return refused(request, error)
    extra = checks_extra(visit)
    return saved(
        request,
        visit,
        step="checks",
        # The new-allergy form comes back empty (and with the provider's decision field when
        # the allergy names today's drug); other saves leave it alone so typing is not lost.
        partials=dict.fromkeys((*CHECK_PARTIALS, "_allergy_new.html"), extra),
        message=f"{allergy} added to the chart.",
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def consent_save(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form))
    _, error = attempt(
        lambda: services.consent_record(
            patient=visit.patient,
            drug=visit.order.drug,
            order=visit.order,
            user=request.user,
            **form.cleaned_data,
        )
    )
    if error is not None:
        return refused(request, error)
    partials = {"_consent.html": checks_extra(visit)}
    return saved(request, visit, step="checks", partials=partials, message="Consent signed.")


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def vitals_save(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    form = VitalsForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form))
    data = dict(form.cleaned_data)
    data["taken_at"] = at_visit(visit, data["taken_at"])
    _, error = attempt(lambda: services.vitals_record(visit=visit, user=request.user, **data))
    if error is not None:
        return refused(request, error)
    phase = data["phase"]
    rows = [v for v in visit.vitals.all() if v.phase == phase]
    partials = {"_vitals_list.html": {"vitals": rows, "phase": phase}}
    return saved(
        request, visit, step=VITALS_STEP[phase], partials=partials, message="Vital signs saved."
    )
