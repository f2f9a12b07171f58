"""Step 2: dispense vials from lots (FEFO suggestion), make up the dose, second check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.services import client_ip
from chairside.inventory.services import dispense_suggestion
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.models import StaffMember
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import staff_member
from chairside.treatments import pharmacy, selectors, services
from chairside.treatments.forms import (
    CheckForm,
    PreparationForm,
    WitnessForm,
    at_visit,
    set_choices,
    staff_choices,
)
from chairside.treatments.models import EarlyPreparation, Visit
from chairside.treatments.services._common import staff_for
from chairside.treatments.services.prep_gate import early_preparation_of
from chairside.treatments.templatetags.visit_tags import mg
from chairside.treatments.views._util import (
    attempt,
    form_errors,
    get_visit,
    refused,
    render_step,
    saved,
)

DILUENTS = (
    "0.9% sodium chloride",
    "5% dextrose",
    "Sterile water for injection",
    "None (undiluted)",
)


def _suggestion(visit: Visit, dose: Any) -> tuple[dict[int, int], str]:
    if dose is None:
        return {}, ""
    try:
        picks = dispense_suggestion(
            organization=visit.organization,
            location=visit.location,
            dose_mg=dose,
            patient=visit.patient,
            drug=visit.order.drug,
            today=visit.date,
        )
    except ValidationError as exc:
        return {}, " ".join(exc.messages)
    return {lot.pk: vials for lot, vials in picks}, ""


def _staff(visit: Visit) -> Any:
    return selectors.licensed_staff(organization=visit.organization)


def preparation_extra(request: OrgRequest, visit: Visit, form: Any = None) -> dict[str, Any]:
    prep = selectors.preparation_of(visit)
    plan = selectors.dose_plan(visit)
    from_pharmacy = pharmacy.pharmacy_dispenses(visit)
    fresh = (prep is None or not prep.vials.exists()) and not from_pharmacy
    suggested, problem = _suggestion(visit, plan.dose_mg) if fresh else ({}, "")
    staff = _staff(visit)
    if form is None:
        form = PreparationForm(initial=_prep_initial(request, visit, prep, plan))
    set_choices(form, "prepared_by", staff_choices(staff))
    check_form = CheckForm()
    waste_form = WitnessForm()
    return {
        "waste_form": waste_form,
        "waste_needed": prep is not None and selectors.waste_witness_needed(visit, prep),
        "prep": prep,
        "plan": plan,
        "lots": [(lot, suggested.get(lot.pk, 0)) for lot in selectors.lots_for_dose(visit)],
        "suggestion_problem": problem,
        "form": form,
        "check_form": check_form,
        "diluents": DILUENTS,
        "from_pharmacy": [(m, -m.vials) for m in from_pharmacy],
        "verification": pharmacy.verification_of(visit),
        "gate": services.prep_gate_problem(visit.appointment, visit),
        "early": early_preparation_of(visit.appointment),
        "early_reasons": EarlyPreparation.Reason.choices,
        "may_record_early": can(request, Perm.CLINICAL_EDIT) or can(request, Perm.INVENTORY_EDIT),
    }


def _plain(value: Decimal | None) -> str:
    """350.000 → "350" for the form (the number the nurse reads)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _prep_initial(request: OrgRequest, visit: Visit, prep: Any, plan: Any) -> dict[str, Any]:
    me = staff_for(request.user, visit.organization)
    if prep is None or prep.prepared_at is None:
        return {
            "dose_mg": _plain(prep.dose_mg if prep else plan.dose_mg),
            "diluent": DILUENTS[0],
            "kind": "immediate_use",
            "prepared_by": me.pk if me else "",
            "prepared_at": timezone.localtime(timezone.now(), visit.location.tz).time(),
        }
    return {
        "dose_mg": _plain(prep.dose_mg),
        "diluent": prep.diluent,
        "bag_volume_ml": prep.bag_volume_ml,
        "final_volume_ml": prep.final_volume_ml,
        "kind": prep.kind,
        "label_limit_hours": prep.label_limit_hours,
        "prepared_at": visit.local(prep.prepared_at).time(),  # type: ignore[union-attr]
        "beyond_use_at": visit.local(prep.beyond_use_at).time() if prep.beyond_use_at else None,  # type: ignore[union-attr]
        "prepared_by": prep.prepared_by_id or "",
        "notes": prep.notes,
    }


@require_perm(Perm.PATIENT_VIEW)
def preparation(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    return render_step(request, visit, "preparation", preparation_extra(request, visit))


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def dispense(request: OrgRequest, public_id: str) -> HttpResponse:
    """Dispense the vials typed against each lot (all or nothing)."""
    visit = get_visit(request, public_id)
    picks = []
    for lot in selectors.lots_for_dose(visit):
        raw = request.POST.get(f"vials_{lot.public_id}", "").strip()
        if raw and raw != "0":
            try:
                picks.append((lot, int(raw)))
            except ValueError:
                message = f"Lot {lot.lot_number}: “{raw}” is not a number of vials."
                return refused(request, [message])
    _, error = attempt(
        lambda: services.preparation_dispense(visit=visit, user=request.user, picks=picks)
    )
    if error is not None:
        return refused(request, error)
    return saved(
        request,
        visit,
        step="preparation",
        partials={"_preparation.html": preparation_extra(request, visit)},
        message="Vials dispensed from stock.",
    )


def _staff_member(visit: Visit, value: str) -> StaffMember | None:
    if not value:
        return None
    return staff_member(organization=visit.organization, pk=value)


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def preparation_save(request: OrgRequest, public_id: str) -> HttpResponse:
    visit = get_visit(request, public_id)
    form = PreparationForm(request.POST)
    set_choices(form, "prepared_by", staff_choices(_staff(visit)))
    if not form.is_valid():
        return refused(request, form_errors(form))
    data = dict(form.cleaned_data)
    data["prepared_at"] = at_visit(visit, data["prepared_at"])
    data["beyond_use_at"] = at_visit(visit, data["beyond_use_at"])
    data["prepared_by"] = _staff_member(visit, data["prepared_by"])
    _, error = attempt(lambda: services.preparation_save(visit=visit, user=request.user, **data))
    if error is not None:
        return refused(request, error)
    return saved(
        request,
        visit,
        step="preparation",
        partials={"_preparation.html": preparation_extra(request, visit)},
        message="Preparation saved. A second person checks it now.",
    )


def _second_person(
    request: OrgRequest, public_id: str, service: Any, nothing: str, message: Any
) -> HttpResponse:
    """A second person's confirmation on this device: she types her own user name and
    password, the service re-authenticates her (double check or waste witness)."""
    visit = get_visit(request, public_id)
    prep, error = attempt(
        lambda: service(
            visit=visit,
            user=request.user,
            username=request.POST.get("cosigner_username", ""),
            password=request.POST.get("cosigner_password", ""),
            ip_address=client_ip(request),
        )
    )
    if error is not None or prep is None:
        return refused(request, error or [nothing])
    return saved(
        request,
        visit,
        step="preparation",
        partials={"_preparation.html": preparation_extra(request, visit)},
        message=message(prep),
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def preparation_check(request: OrgRequest, public_id: str) -> HttpResponse:
    """The independent double check by a second nurse."""
    return _second_person(
        request,
        public_id,
        services.preparation_cosign,
        "The check was not recorded.",
        lambda prep: f"Checked by {prep.checked_by}.",
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def waste_witness(request: OrgRequest, public_id: str) -> HttpResponse:
    """The witness to the discarded remainder of the opened vials."""
    return _second_person(
        request,
        public_id,
        services.preparation_waste_witness,
        "The witness was not recorded.",
        lambda prep: f"Waste of {mg(prep.waste_mg)} mg witnessed by {prep.waste_witnessed_by}.",
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def attach(request: OrgRequest, public_id: str) -> HttpResponse:
    """Use the vials the pharmacy dispensed for this dose (no second dispense)."""
    visit = get_visit(request, public_id)
    moves = pharmacy.pharmacy_dispenses(visit)
    if not moves:
        return refused(request, ["No vials dispensed by the pharmacy are waiting for this dose."])
    _, error = attempt(
        lambda: services.preparation_attach(visit=visit, user=request.user, movements=moves)
    )
    if error is not None:
        return refused(request, error)
    return saved(
        request,
        visit,
        step="preparation",
        partials={"_preparation.html": preparation_extra(request, visit)},
        message="The pharmacy's vials are on this preparation.",
    )
