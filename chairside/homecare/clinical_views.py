"""Home-infusion clinical pages: the patient's home-infusion page, orders, plans of care
(with what they are missing), teaching with the nurse's signature, pharmacist monitoring
notes and the follow-up queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.audit.services import client_ip
from chairside.core.forms_util import add_service_errors, submit_form
from chairside.homecare import selectors, services
from chairside.homecare.forms import (
    HomeOrderForm,
    MonitoringForm,
    OutsideHistoryForm,
    PlanForm,
    TeachingForm,
)
from chairside.homecare.models import HomeInfusionOrder, PlanOfCare
from chairside.patients.models import Patient
from chairside.rules.billing.home_infusion_billing import HIT_INITIAL_GAP_DAYS
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm


def _status(request: OrgRequest) -> int:
    return 400 if request.method == "POST" else 200


ORDERS_CSV = export_columns(
    "homecare:orders",
    "home-infusion-orders.csv",
    "Home-infusion orders",
    [
        ("patient_mrn", lambda o: o.patient.mrn),
        ("patient", lambda o: f"{o.patient.last_name}, {o.patient.first_name}"),
        ("therapy", lambda o: o.therapy_display),
        ("drug", lambda o: o.drug_display),
        ("dose", lambda o: o.dose_display),
        ("start", lambda o: o.start_date),
        ("last_day", lambda o: o.last_day),
        ("ordering_provider", lambda o: str(o.ordering_provider or "")),
        ("status", lambda o: o.get_status_display()),
    ],
)
FOLLOW_UPS_CSV = export_columns(
    "homecare:follow_ups",
    "pharmacy-follow-ups.csv",
    "Pharmacy follow-ups",
    [
        ("due_on", lambda t: t.due_on),
        ("patient_mrn", lambda t: t.patient.mrn),
        ("patient", lambda t: f"{t.patient.last_name}, {t.patient.first_name}"),
        ("task", lambda t: t.description),
        ("note_of", lambda t: t.note.noted_on),
        ("assigned_to", lambda t: str(t.assignee or "")),
    ],
)
PLANS_CSV = export_columns(
    "homecare:plans",
    "plans-of-care.csv",
    "Plans of care",
    [
        ("patient_mrn", lambda r: r["plan"].patient.mrn),
        ("patient", lambda r: f"{r['plan'].patient.last_name}, {r['plan'].patient.first_name}"),
        ("version", lambda r: r["plan"].version),
        ("signed_on", lambda r: r["plan"].signed_on),
        ("review_due_on", lambda r: r["plan"].review_due_on),
        ("missing_items", lambda r: len(r["gaps"])),
        ("missing", lambda r: "; ".join(g.message for g in r["gaps"])),
    ],
)


def _plan_state(row: dict[str, Any]) -> str:
    plan = row["plan"]
    if plan is None:
        return "no plan"
    signed = "signed" if plan.is_signed else "unsigned"
    missing = f"{len(row['gaps'])} missing" if row["gaps"] else "complete"
    return f"v{plan.version} {signed}, {missing}"


PATIENTS_CSV = export_columns(
    "homecare:patients",
    "home-infusion-patients.csv",
    "Home-infusion patients",
    [
        ("patient_mrn", lambda r: r["patient"].mrn),
        ("patient", lambda r: f"{r['patient'].last_name}, {r['patient'].first_name}"),
        (
            "home_city",
            lambda r: (
                r["patient"].home_address.city
                if hasattr(r["patient"], "home_address")
                else "no home address"
            ),
        ),
        ("open_orders", lambda r: r["patient"].open_orders),
        ("plan_of_care", _plan_state),
        ("follow_up_due", lambda r: r["follow_up_due"]),
    ],
)


@require_perm(Perm.HOMECARE_VIEW)
def patients(request: OrgRequest) -> HttpResponse:
    org = request.organization
    today = timezone.localdate()
    found = selectors.home_patients(organization=org).annotate(
        open_orders=Count(
            "home_infusion_orders",
            filter=Q(
                home_infusion_orders__status__in=[
                    HomeInfusionOrder.Status.PENDING,
                    HomeInfusionOrder.Status.ACTIVE,
                    HomeInfusionOrder.Status.ON_HOLD,
                ]
            ),
            distinct=True,
        )
    )
    plans = {p.patient_id: p for p in selectors.plans_of_care(organization=org)}
    due = {t.patient_id for t in selectors.follow_up_queue(organization=org, today=today)}
    rows = []
    for patient in found if wants_csv(request) else found[:300]:
        plan = plans.get(patient.pk)
        gaps = (
            selectors.plan_of_care_gaps(organization=org, plan=plan, today=today) if plan else None
        )
        rows.append(
            {"patient": patient, "plan": plan, "gaps": gaps, "follow_up_due": patient.pk in due}
        )
    if wants_csv(request):
        return csv_response(request, PATIENTS_CSV, rows)
    context = {"rows": rows, "can_edit": can(request, Perm.HOMECARE_EDIT), "active": "patients"}
    return render(request, "homecare/patients.html", context)


@require_perm(Perm.HOMECARE_VIEW)
def patient(request: OrgRequest, public_id: str) -> HttpResponse:
    org = request.organization
    found = selectors.access_patient(organization=org, public_id=public_id)
    plan = selectors.current_plan(organization=org, patient=found)
    context = {
        "patient": found,
        "home": getattr(found, "home_address", None),
        "orders": selectors.home_orders(organization=org, patient=found),
        "plan": plan,
        "gaps": selectors.plan_of_care_gaps(organization=org, patient=found) if plan else None,
        "old_plans": selectors.superseded_plans(organization=org, patient=found),
        "teaching": selectors.teaching_records(organization=org, patient=found),
        "notes": selectors.monitoring_notes(organization=org, patient=found).prefetch_related(
            "follow_ups", "follow_ups__assignee"
        ),
        "today": timezone.localdate(),
        "can_edit": can(request, Perm.HOMECARE_EDIT),
        "can_schedule": can(request, Perm.SCHEDULE_EDIT),
        "outside": (outside := selectors.outside_hit_history(organization=org, patient=found)),
        "outside_initial_from": (
            outside.last_visit_on + dt.timedelta(days=HIT_INITIAL_GAP_DAYS + 1)
            if outside and outside.last_visit_on
            else None
        ),
        "active": "patients",
    }
    return render(request, "homecare/patient.html", context)


@require_perm(Perm.HOMECARE_EDIT)
def outside_history(request: OrgRequest, public_id: str) -> HttpResponse:
    """Record the patient's last home infusion therapy visit by another supplier (Medicare's
    60-day rule for the initial-visit G-codes reads it; BPM ch. 15 §320.8.3)."""
    org = request.organization
    found = selectors.access_patient(organization=org, public_id=public_id)
    history = selectors.outside_hit_history(organization=org, patient=found)
    initial = (
        {"last_visit_on": history.last_visit_on, "supplier": history.supplier,
         "source": history.source}
        if history
        else {}
    )  # fmt: skip
    form = OutsideHistoryForm(request.POST or None, initial=initial)
    return submit_form(
        request,
        form,
        save=lambda data: services.outside_hit_history_set(
            organization=org,
            user=request.user,
            patient=found,
            last_visit_on=data["last_visit_on"],
            supplier=data["supplier"],
            source=data["source"],
        ),
        message="Home infusion history with another supplier saved.",
        done=reverse("homecare:patient", args=[found.public_id]) + "#outside-history",
        template="homecare/outside_history_form.html",
        context={"patient": found, "history": history, "active": "patients"},
    )


# --- orders ----------------------------------------------------------------------------------


@require_perm(Perm.HOMECARE_VIEW)
def orders(request: OrgRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    therapy = request.GET.get("therapy", "")
    found = selectors.home_orders(
        organization=request.organization,
        status=status if status in HomeInfusionOrder.Status.values else None,
    )
    if therapy in HomeInfusionOrder.TherapyType.values:
        found = found.filter(therapy_type=therapy)
    if wants_csv(request):
        return csv_response(request, ORDERS_CSV, found)
    context = {
        "orders": found[:300],
        "status": status,
        "therapy": therapy,
        "statuses": HomeInfusionOrder.Status.choices,
        "therapies": HomeInfusionOrder.TherapyType.choices,
        "active": "orders",
    }
    return render(request, "homecare/orders.html", context)


def _order_values(data: dict[str, Any]) -> services.HomeOrderValues:
    return services.HomeOrderValues(
        treatment_order=data["treatment_order"],
        therapy_type=data["therapy_type"],
        therapy_other=data["therapy_other"],
        drug=data["drug"],
        drug_name=data["drug_name"],
        dose_amount=data["dose_amount"],
        dose_unit=data["dose_unit"],
        doses_per_day=data["doses_per_day"],
        every_days=data["every_days"],
        continuous=data["continuous"],
        infusion_minutes=data["infusion_minutes"],
        start_date=data["start_date"],
        duration_days=data["duration_days"],
        stop_date=data["stop_date"],
        access_device=data["access_device"],
        access_inserted_on=data["access_inserted_on"],
        administration_device=data["administration_device"],
        supplies=[s.strip() for s in data["supplies"].splitlines()],
        nursing_visit_frequency=data["nursing_visit_frequency"],
        ordering_provider=data["ordering_provider"],
        signed_on=data["signed_on"],
        diagnosis_code=data["diagnosis_code"],
        status=data["status"],
        notes=data["notes"],
    )


def _order_form(
    request: OrgRequest, found: Patient, order: HomeInfusionOrder | None
) -> HttpResponse:
    initial = HomeOrderForm.initial_from(order) if order else {"start_date": timezone.localdate()}
    form = HomeOrderForm(
        request.POST or None, organization=request.organization, patient=found, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.home_order_save(
                organization=request.organization,
                user=request.user,
                patient=found,
                values=_order_values(form.cleaned_data),
                order=order,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Home-infusion order saved: {saved.drug_display}.")
            return redirect("homecare:order", public_id=saved.public_id)
    context = {"form": form, "patient": found, "order": order, "active": "orders"}
    return render(request, "homecare/order_form.html", context, status=_status(request))


@require_perm(Perm.HOMECARE_EDIT)
def order_new(request: OrgRequest, public_id: str) -> HttpResponse:
    found = selectors.access_patient(organization=request.organization, public_id=public_id)
    return _order_form(request, found, None)


@require_perm(Perm.HOMECARE_EDIT)
def order_edit(request: OrgRequest, public_id: str) -> HttpResponse:
    order = selectors.access_home_order(organization=request.organization, public_id=public_id)
    return _order_form(request, order.patient, order)


@require_perm(Perm.HOMECARE_VIEW)
def order_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    order = selectors.access_home_order(organization=request.organization, public_id=public_id)
    context = {
        "order": order,
        "notes": order.monitoring_notes.all(),
        "can_edit": can(request, Perm.HOMECARE_EDIT),
        "active": "orders",
    }
    return render(request, "homecare/order.html", context)


# --- plans of care ---------------------------------------------------------------------------


@require_perm(Perm.HOMECARE_VIEW)
def plans(request: OrgRequest) -> HttpResponse:
    org = request.organization
    today = timezone.localdate()
    found = selectors.plans_of_care(organization=org).prefetch_related("orders")
    rows = [
        {"plan": p, "gaps": selectors.plan_of_care_gaps(organization=org, plan=p, today=today)}
        for p in (found if wants_csv(request) else found[:300])
    ]
    if request.GET.get("missing") == "1":
        rows = [r for r in rows if r["gaps"]]
    if wants_csv(request):
        return csv_response(request, PLANS_CSV, rows)
    context = {"rows": rows, "missing": request.GET.get("missing") == "1", "active": "plans"}
    return render(request, "homecare/plans.html", context)


def _plan_values(data: dict[str, Any]) -> services.PlanValues:
    return services.PlanValues(
        orders=list(data["orders"]),
        signed_on=data["signed_on"],
        signing_provider=data["signing_provider"],
        review_due_on=data["review_due_on"],
        goals=data["goals"],
        allergies=data["allergies"],
        access_device=data["access_device"],
        access_inserted_on=data["access_inserted_on"],
        pump=data["pump"],
        monitoring_labs=data["monitoring_labs"],
        emergency_phone=data["emergency_phone"],
        anaphylaxis_kit=data["anaphylaxis_kit"],
        emergency_instructions=data["emergency_instructions"],
        caregiver_name=data["caregiver_name"],
        caregiver_relationship=data["caregiver_relationship"],
        caregiver_phone=data["caregiver_phone"],
        discharge_plan=data["discharge_plan"],
    )


def _plan_initial(plan: PlanOfCare) -> dict[str, Any]:
    return {
        "orders": list(plan.orders.all()),
        "signed_on": plan.signed_on,
        "signing_provider": plan.signing_provider,
        "review_due_on": plan.review_due_on,
        "goals": plan.goals,
        "allergies": plan.allergies,
        "access_device": plan.access_device,
        "access_inserted_on": plan.access_inserted_on,
        "pump": plan.pump,
        "monitoring_labs": "\n".join(
            f"{r.get('lab', '')}: {r.get('frequency', '')}".rstrip(": ")
            for r in plan.monitoring_labs
        ),
        "emergency_phone": plan.emergency_phone,
        "anaphylaxis_kit": plan.anaphylaxis_kit,
        "emergency_instructions": plan.emergency_instructions,
        "caregiver_name": plan.caregiver_name,
        "caregiver_relationship": plan.caregiver_relationship,
        "caregiver_phone": plan.caregiver_phone,
        "discharge_plan": plan.discharge_plan,
    }


def _new_plan_initial(request: OrgRequest, found: Patient) -> dict[str, Any]:
    open_orders = list(selectors.open_home_orders(organization=request.organization, patient=found))
    first = open_orders[0] if open_orders else None
    location = getattr(getattr(found, "home_address", None), "location", None)
    return {
        "orders": open_orders,
        "allergies": services.chart_allergies(found),
        "access_device": first.access_device if first else "",
        "access_inserted_on": first.access_inserted_on if first else None,
        "emergency_phone": getattr(location, "phone", "") or request.organization.phone,
    }


@require_perm(Perm.HOMECARE_EDIT)
def plan_new(request: OrgRequest, public_id: str) -> HttpResponse:
    found = selectors.access_patient(organization=request.organization, public_id=public_id)
    current = selectors.current_plan(organization=request.organization, patient=found)
    if current is not None:
        messages.info(request, "The patient has a current plan of care: here it is.")
        return redirect("homecare:plan", public_id=current.public_id)
    form = PlanForm(
        request.POST or None,
        organization=request.organization,
        patient=found,
        initial=_new_plan_initial(request, found),
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_of_care_create(
                organization=request.organization,
                user=request.user,
                patient=found,
                values=_plan_values(form.cleaned_data),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Plan of care saved.")
            return redirect("homecare:plan", public_id=plan.public_id)
    context = {"form": form, "patient": found, "plan": None, "active": "plans"}
    return render(request, "homecare/plan_form.html", context, status=_status(request))


@require_perm(Perm.HOMECARE_EDIT)
def plan_edit(request: OrgRequest, public_id: str) -> HttpResponse:
    plan = selectors.access_plan_of_care(organization=request.organization, public_id=public_id)
    if not plan.is_current or plan.is_signed:
        return _plan_page(
            request,
            plan,
            status=400 if request.method == "POST" else 200,
            error="A signed or replaced version is kept as it was: review the plan to write "
            "the next version.",
        )
    form = PlanForm(
        request.POST or None,
        organization=request.organization,
        patient=plan.patient,
        initial=_plan_initial(plan),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_of_care_update(
                organization=request.organization,
                user=request.user,
                plan=plan,
                values=_plan_values(form.cleaned_data),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Plan of care saved.")
            return redirect("homecare:plan", public_id=plan.public_id)
    context = {"form": form, "patient": plan.patient, "plan": plan, "active": "plans"}
    return render(request, "homecare/plan_form.html", context, status=_status(request))


@require_perm(Perm.HOMECARE_VIEW)
def plan_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    plan = selectors.access_plan_of_care(organization=request.organization, public_id=public_id)
    return _plan_page(request, plan)


def _plan_page(
    request: OrgRequest, plan: PlanOfCare, status: int = 200, error: str = ""
) -> HttpResponse:
    org = request.organization
    context = {
        "plan": plan,
        "patient": plan.patient,
        "gaps": selectors.plan_of_care_gaps(organization=org, plan=plan),
        "teaching": selectors.teaching_records(organization=org, patient=plan.patient)[:20],
        "can_edit": can(request, Perm.HOMECARE_EDIT),
        "error": error,
        "active": "plans",
    }
    return render(request, "homecare/plan.html", context, status=status)


@require_POST
@require_perm(Perm.HOMECARE_EDIT)
def plan_review(request: OrgRequest, public_id: str) -> HttpResponse:
    plan = selectors.access_plan_of_care(organization=request.organization, public_id=public_id)
    try:
        following = services.plan_of_care_review(
            organization=request.organization,
            user=request.user,
            plan=plan,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        return _plan_page(request, plan, status=400, error=" ".join(exc.messages))
    messages.success(
        request,
        f"Version {following.version} started from version {plan.version}: update it and have "
        "the physician sign it.",
    )
    return redirect("homecare:plan_edit", public_id=following.public_id)


# --- teaching --------------------------------------------------------------------------------


@require_perm(Perm.HOMECARE_EDIT)
def teaching_new(request: OrgRequest, public_id: str) -> HttpResponse:
    org = request.organization
    found = selectors.access_patient(organization=org, public_id=public_id)
    plan = selectors.current_plan(organization=org, patient=found)
    initial: dict[str, Any] = {"taught_on": timezone.localdate()}
    if (
        plan is not None
        and plan.caregiver_name
        and not plan.caregiver_name.lower().startswith("none")
    ):
        initial |= {"learner": "caregiver", "learner_name": plan.caregiver_name}
    else:
        initial |= {"learner": "patient", "learner_name": found.full_name}
    form = TeachingForm(request.POST or None, organization=org, patient=found, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.teaching_sign(
                organization=org,
                user=request.user,
                patient=found,
                values=services.TeachingValues(
                    taught_on=data["taught_on"],
                    topics=list(data["topics"]),
                    learner=data["learner"],
                    learner_name=data["learner_name"],
                    method=data["method"],
                    outcome=data["outcome"],
                    notes=data["notes"],
                    plan=plan,
                    order=data["order"],
                ),
                username=data["nurse_username"],
                password=data["nurse_password"],
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Teaching recorded and signed by the nurse.")
            return redirect("homecare:patient", public_id=found.public_id)
    context = {"form": form, "patient": found, "plan": plan, "active": "patients"}
    return render(request, "homecare/teaching_form.html", context, status=_status(request))


# --- pharmacist monitoring -------------------------------------------------------------------


@require_perm(Perm.HOMECARE_EDIT)
def monitoring_new(request: OrgRequest, public_id: str) -> HttpResponse:
    org = request.organization
    found = selectors.access_patient(organization=org, public_id=public_id)
    form = MonitoringForm(
        request.POST or None,
        organization=org,
        patient=found,
        initial={"noted_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        follow_ups = [
            services.FollowUpValues(
                description=data[f"follow_up_{n}"],
                due_on=data[f"follow_up_{n}_due"],
                assignee=data[f"follow_up_{n}_assignee"],
            )
            for n in (1, 2)
            if data.get(f"follow_up_{n}")
        ]
        try:
            services.monitoring_note_create(
                organization=org,
                user=request.user,
                patient=found,
                values=services.MonitoringValues(
                    order=data["order"],
                    noted_on=data["noted_on"],
                    labs=data["labs"],
                    assessment=data["assessment"],
                    plan=data["plan"],
                    dose_change_recommended=data["dose_change_recommended"],
                    recommended_change=data["recommended_change"],
                    follow_ups=follow_ups,
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Monitoring note saved.")
            return redirect("homecare:patient", public_id=found.public_id)
    context = {"form": form, "patient": found, "active": "follow_ups"}
    return render(request, "homecare/monitoring_form.html", context, status=_status(request))


@require_perm(Perm.HOMECARE_VIEW)
def follow_ups(request: OrgRequest) -> HttpResponse:
    return _follow_ups_page(request)


def _follow_ups_page(request: OrgRequest, status: int = 200, error: str = "") -> HttpResponse:
    today = timezone.localdate()
    queue = selectors.follow_up_queue(organization=request.organization, today=today, within_days=7)
    if request.method == "GET" and wants_csv(request):
        return csv_response(request, FOLLOW_UPS_CSV, queue)
    context = {
        "tasks": queue,
        "today": today,
        "can_edit": can(request, Perm.HOMECARE_EDIT),
        "error": error,
        "active": "follow_ups",
    }
    return render(request, "homecare/follow_ups.html", context, status=status)


@require_POST
@require_perm(Perm.HOMECARE_EDIT)
def follow_up_done(request: OrgRequest, public_id: str) -> HttpResponse:
    task = selectors.access_follow_up(organization=request.organization, public_id=public_id)
    try:
        services.follow_up_done(organization=request.organization, user=request.user, task=task)
    except ValidationError as exc:
        return _follow_ups_page(request, status=400, error=" ".join(exc.messages))
    messages.success(request, f"Done: {task.description}.")
    return redirect("homecare:follow_ups")
