"""Reports pages: thin — parse, call one service or selector, render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.analytics import not_given, panels, report, selectors, services
from chairside.analytics.forms import DashboardFilterForm, FeeTermsForm, ScenarioForm
from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.core.forms_util import submit_form
from chairside.core.pdf import pdf_response
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.models import Organization
from chairside.tenancy.roles import Perm

NOT_GIVEN_CSV = export_columns(
    "analytics:prepared_not_given",
    "prepared-not-given.csv",
    "Doses prepared and not given",
    [
        ("day", lambda r: r.on_date),
        ("site", lambda r: r.appointment.location.name),
        ("patient_mrn", lambda r: r.appointment.patient.mrn),
        (
            "patient",
            lambda r: f"{r.appointment.patient.last_name}, {r.appointment.patient.first_name}",
        ),
        ("drug", lambda r: r.appointment.order.drug.generic_name),
        ("why_not_given", lambda r: r.get_reason_display()),
        ("detail", lambda r: r.detail),
        (
            "vials_dispensed",
            lambda r: "; ".join(f"{v.vials} x {v.strength_mg} mg lot {v.lot}" for v in r.vials),
        ),
        ("cost", lambda r: r.cost),
    ],
)


def _dashboard_filter(
    request: OrgRequest,
) -> tuple[DashboardFilterForm, selectors.DashboardFilter, bool]:
    form = DashboardFilterForm(
        request.GET, organization=request.organization, today=timezone.localdate()
    )
    valid = form.is_valid()
    data = form.cleaned_data if valid else form.defaults()
    f = selectors.DashboardFilter(
        request.organization, data["location"], data["start"], data["end"]
    )
    return form, f, valid


@require_perm(Perm.REPORTS_VIEW)
def home(request: OrgRequest) -> HttpResponse:
    form, f, valid = _dashboard_filter(request)
    context = {
        "form": form,
        "filter": f,
        "panels": panels.dashboard_panels(f, lambda perm: can(request, perm)),
        "is_management": request.organization.kind == Organization.Kind.MANAGEMENT_COMPANY,
        "can_plan": can(request, Perm.PLANNING_EDIT),
    }
    if context["is_management"]:
        context["clients"] = selectors.client_sites(
            management_company=request.organization, start=f.start, end=f.end
        )
        context["own_sites"] = selectors.locations(organization=request.organization).exists()
    template = "analytics/_panels.html" if request.htmx else "analytics/home.html"
    return render(request, template, context, status=200 if valid else 400)


@require_perm(Perm.REPORTS_VIEW)
def panel_group(request: OrgRequest, group: str) -> HttpResponse:
    """The panels of one slow group, for the same filter as the page that asked."""
    if group not in panels.LAZY_GROUPS:
        raise Http404("No such group of panels.")
    _, f, _ = _dashboard_filter(request)
    found = panels.group_panels(f, group, lambda perm: can(request, perm))
    if not found:
        raise PermissionDenied("These figures need another permission.")
    return render(request, "analytics/_panel_group.html", {"panels": found})


@require_perm(Perm.REPORTS_VIEW)
def planner(request: OrgRequest) -> HttpResponse:
    context = {
        "scenarios": selectors.scenarios(organization=request.organization),
        "can_plan": can(request, Perm.PLANNING_EDIT),
    }
    return render(request, "analytics/planner.html", context)


@require_perm(Perm.PLANNING_EDIT)
def scenario_edit(request: OrgRequest, public_id: str | None = None) -> HttpResponse:
    scenario = (
        selectors.access_scenario(organization=request.organization, public_id=public_id)
        if public_id
        else None
    )
    form = ScenarioForm(request.POST or None, scenario=scenario)
    return submit_form(
        request,
        form,
        save=lambda data: services.scenario_save(
            organization=request.organization,
            user=request.user,
            name=data["name"],
            notes=data["notes"],
            inputs=form.inputs(),
            scenario=scenario,
        ),
        message=lambda saved: f"Scenario “{saved}” saved.",
        done=lambda saved: reverse("analytics:scenario", kwargs={"public_id": saved.public_id}),
        template="analytics/scenario_form.html",
        context={"scenario": scenario},
    )


@require_perm(Perm.REPORTS_VIEW)
def scenario_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    scenario = selectors.access_scenario(organization=request.organization, public_id=public_id)
    context = report.scenario_context(scenario)
    context["can_plan"] = can(request, Perm.PLANNING_EDIT)
    return render(request, "analytics/scenario.html", context)


@require_POST
@require_perm(Perm.PLANNING_EDIT)
def scenario_simulate(request: OrgRequest, public_id: str) -> HttpResponse:
    scenario = selectors.access_scenario(organization=request.organization, public_id=public_id)
    try:
        scenario = services.scenario_simulate(scenario=scenario, user=request.user)
    except ValidationError as exc:
        return render(request, "analytics/_simulation.html", {"error": exc.messages[0]}, status=400)
    context = report.scenario_context(scenario)
    if request.htmx:
        return render(request, "analytics/_simulation.html", context)
    return redirect("analytics:scenario", public_id=scenario.public_id)


@require_POST
@require_perm(Perm.PLANNING_EDIT)
def scenario_delete(request: OrgRequest, public_id: str) -> HttpResponse:
    scenario = selectors.access_scenario(organization=request.organization, public_id=public_id)
    services.scenario_delete(scenario=scenario, user=request.user)
    messages.success(request, f"Scenario “{scenario.name}” deleted.")
    return redirect("analytics:planner")


@require_perm(Perm.REPORTS_VIEW)
def scenario_compare(request: OrgRequest) -> HttpResponse:
    ids = request.GET.getlist("s")[:4]
    chosen = [
        selectors.access_scenario(organization=request.organization, public_id=i) for i in ids
    ]
    if len(chosen) < 2:
        messages.error(request, "Tick two or more scenarios to compare them.")
        return redirect("analytics:planner")
    contexts = [report.scenario_context(s) for s in chosen]
    rows = report.comparison_rows([c["plan"] for c in contexts])
    return render(request, "analytics/compare.html", {"contexts": contexts, "rows": rows})


@require_perm(Perm.REPORTS_VIEW)
def scenario_csv(request: OrgRequest, public_id: str) -> HttpResponse:
    scenario = selectors.access_scenario(organization=request.organization, public_id=public_id)
    response = HttpResponse(report.csv_export(scenario), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="scenario-{scenario.public_id}.csv"'
    return response


@require_perm(Perm.REPORTS_VIEW)
def scenario_pdf(request: OrgRequest, public_id: str) -> HttpResponse:
    scenario = selectors.access_scenario(organization=request.organization, public_id=public_id)
    context = report.scenario_context(scenario)
    context["ramp_svg"] = report.svg_bars([r.net for r in context["plan"].ramp])
    context["organization"] = request.organization
    html = render_to_string("analytics/scenario_pdf.html", context, request=request)
    return pdf_response(
        request, html, filename=f"scenario-{scenario.public_id}.pdf", attachment=True
    )


@require_perm(Perm.PLANNING_EDIT)
def fee_terms_edit(request: OrgRequest, client_id: str) -> HttpResponse:
    client = selectors.access_client(management_company=request.organization, public_id=client_id)
    terms = selectors.fee_terms(client=client)
    form = FeeTermsForm(request.POST or None, instance=terms)
    return submit_form(
        request,
        form,
        save=lambda data: services.fee_terms_save(
            management_company=request.organization, client=client, user=request.user, **data
        ),
        message=f"Fee terms for {client.name} saved.",
        done="analytics:home",
        template="analytics/fee_terms_form.html",
        context={"client": client},
    )


@require_perm(Perm.REPORTS_VIEW)
def prepared_not_given(request: OrgRequest) -> HttpResponse:
    """Each dose prepared and not given: of one month (``?month=2026-11``) or the last 12."""

    today = timezone.localdate()
    months = not_given.by_month(organization=request.organization, location=None, today=today)
    month = next((m for m, _, _ in months if f"{m:%Y-%m}" == request.GET.get("month")), None)
    rows = list(not_given.records(organization=request.organization, month=month, today=today))
    if wants_csv(request):
        return csv_response(request, NOT_GIVEN_CSV, rows)
    context = {
        "months": months,
        "month": month,
        "rows": rows,
        "total": sum((r.cost for r in rows), Decimal(0)),
    }
    return render(request, "analytics/prepared_not_given.html", context)
