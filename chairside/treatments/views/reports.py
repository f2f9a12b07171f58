"""Report delivery queue, the report PDF, and reaction alerts for the provider."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, client_ip
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm
from chairside.treatments import selectors, services
from chairside.treatments.forms import SentForm


@require_perm(Perm.PATIENT_VIEW)
def report_pdf(request: OrgRequest, public_id: str) -> HttpResponse:
    report = selectors.access_report(organization=request.organization, public_id=public_id)
    audit_record(
        action=AuditEvent.Action.EXPORT,
        user=request.user,
        organization=request.organization,
        obj=report,
        patient=report.visit.patient,
        ip_address=client_ip(request),
    )
    name = f"treatment-report-{report.visit.date:%Y%m%d}-v{report.version}.pdf"
    services.report_ensure_pdf(report)
    with report.pdf.open("rb") as pdf:
        response = HttpResponse(pdf.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


REPORTS_CSV = export_columns(
    "treatments:reports",
    "treatment-reports.csv",
    "Treatment reports",
    [
        ("patient", lambda r: r.visit.patient.full_name),
        ("mrn", lambda r: r.visit.patient.mrn),
        ("visit_date", lambda r: r.visit.date),
        ("drug", lambda r: r.visit.order.drug.generic_name),
        ("version", lambda r: r.version),
        ("recipient", lambda r: r.recipient),
        ("channel", lambda r: r.get_channel_display()),
        ("status", lambda r: r.get_status_display()),
        ("due_at", lambda r: r.due_at),
        ("sent_at", lambda r: r.sent_at),
        ("last_error", lambda r: r.last_error),
    ],
)


@require_perm(Perm.ACCESS_EDIT)
def queue(request: OrgRequest) -> HttpResponse:
    """Reports waiting to go out (late ones first), and the ones sent lately."""
    now = timezone.now()
    waiting = list(selectors.reports(organization=request.organization, status="open"))
    sent = list(selectors.reports(organization=request.organization, status="sent")[:25])
    if wants_csv(request):
        return csv_response(request, REPORTS_CSV, waiting + sent)
    context = {
        "waiting": waiting,
        "sent": sent,
        "now": now,
        "form": SentForm(),
        "late": sum(1 for r in waiting if r.is_late(now)),
    }
    return render(request, "treatments/reports.html", context)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def mark_sent(request: OrgRequest, public_id: str) -> HttpResponse:
    report = selectors.access_report(organization=request.organization, public_id=public_id)
    form = SentForm(request.POST)
    form.is_valid()
    try:
        services.report_mark_sent(
            report=report, user=request.user, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("treatments:reports")
    messages.success(request, f"Report for {report.visit.patient} marked sent.")
    return redirect("treatments:reports")


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def resend(request: OrgRequest, public_id: str) -> HttpResponse:
    report = selectors.access_report(organization=request.organization, public_id=public_id)
    result = services.report_deliver(report=report)
    if result.is_sent:
        messages.success(request, f"Report e-mailed to {result.address}.")
    else:
        messages.error(request, f"Not sent: {result.last_error or 'not an e-mail report'}")
    return redirect("treatments:reports")


@require_perm(Perm.PATIENT_VIEW)
def alerts(request: OrgRequest) -> HttpResponse:
    context = {
        "alerts": list(selectors.open_alerts(organization=request.organization)),
        "can_ack": can(request, Perm.ORDER_SIGN),
    }
    return render(request, "treatments/alerts.html", context)


@require_POST
@require_perm(Perm.ORDER_SIGN)
def acknowledge(request: OrgRequest, public_id: str) -> HttpResponse:
    alert = selectors.access_alert(organization=request.organization, public_id=public_id)
    services.alert_acknowledge(alert=alert, user=request.user)
    messages.success(request, "Alert acknowledged.")
    return redirect("treatments:alerts")
