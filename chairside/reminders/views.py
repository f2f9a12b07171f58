"""The reminder link (public) and the coordinator's queue of reschedule requests."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.audit.services import client_ip
from chairside.reminders import selectors, services
from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.roles import Perm

LINK_PROBLEMS = {
    "expired": (410, "This link has expired"),
    "invalid": (400, "This link is not valid"),
}


def answer(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm or ask to reschedule, from the link in a reminder (no log-in)."""
    try:
        appointment = services.appointment_for_token(token)
    except services.LinkError as exc:
        status, title = LINK_PROBLEMS[str(exc)]
        return render(request, "reminders/link_problem.html", {"title": title}, status=status)
    answerable = services.can_answer(appointment)
    ip = client_ip(request)
    if request.method == "POST" and answerable:
        if request.POST.get("action") == "confirm":
            services.reminder_confirm(appointment=appointment, ip_address=ip)
            return redirect(f"{request.path}?done=confirmed")
        if request.POST.get("action") == "reschedule":
            services.reschedule_request_create(appointment=appointment, ip_address=ip)
            return redirect(f"{request.path}?done=reschedule")
    services.reminder_link_opened(appointment=appointment, ip_address=ip)
    context = {
        "appointment": appointment,
        "local_start": appointment.local_start(),
        "answerable": answerable,
        "requested": appointment.reschedule_requests.filter(handled_at__isnull=True).exists(),
        "done": request.GET.get("done", ""),
    }
    return render(request, "reminders/answer.html", context)


REQUESTS_CSV = export_columns(
    "reminders:requests",
    "reschedule-requests.csv",
    "Reschedule requests",
    [
        ("patient", lambda i: i.appointment.patient.full_name),
        ("mrn", lambda i: i.appointment.patient.mrn),
        ("appointment", lambda i: i.appointment.start),
        ("status", lambda i: i.appointment.status_label),
        ("site", lambda i: i.appointment.location.name),
        ("phone", lambda i: i.appointment.patient.phone),
        ("asked", lambda i: i.requested_at),
    ],
)


@require_perm(Perm.SCHEDULE_VIEW)
def requests_queue(request: OrgRequest) -> HttpResponse:
    waiting = selectors.open_reschedule_requests(organization=request.organization)
    if wants_csv(request):
        return csv_response(request, REQUESTS_CSV, waiting)
    return render(request, "reminders/requests.html", {"waiting": waiting})


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def request_done(request: OrgRequest, public_id: str) -> HttpResponse:
    item = selectors.access_reschedule_request(
        organization=request.organization, public_id=public_id
    )
    services.reschedule_request_handle(request=item, user=request.user)
    messages.success(request, f"Request of {item.appointment.patient.full_name} marked done.")
    return redirect("reminders:requests")
