"""The week at a location, and a patient's upcoming appointments as an .ics calendar."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from icalendar import Calendar, Event

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, client_ip
from chairside.patients.selectors import access_patient
from chairside.scheduling import selectors
from chairside.scheduling.models import Appointment
from chairside.scheduling.views.common import where_when
from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.roles import Perm


@require_perm(Perm.SCHEDULE_VIEW)
def week(request: OrgRequest) -> HttpResponse:
    location, day = where_when(request)
    monday = day - dt.timedelta(days=day.weekday())
    context = {
        "location": location,
        "monday": monday,
        "days": selectors.week(location=location, monday=monday),
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
        "locations": selectors.locations(organization=request.organization),
    }
    return render(request, "scheduling/week.html", context)


def _event(appointment: Appointment, organization_name: str) -> Event:
    location = appointment.location
    event = Event()
    event.add("uid", f"{appointment.public_id}@chairside")
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.local_start())
    event.add("dtend", appointment.local_end())
    # No drug or diagnosis in the calendar: invitations are often seen by others.
    event.add("summary", f"Infusion appointment — {location.name}")
    event.add("location", location.address or location.name)
    phone = f" Call {location.phone} to change it." if location.phone else ""
    event.add("description", f"{organization_name}. Please arrive 15 minutes early.{phone}")
    return event


@require_perm(Perm.SCHEDULE_VIEW)
def patient_calendar(request: OrgRequest, public_id: str) -> HttpResponse:
    patient = access_patient(organization=request.organization, public_id=public_id)
    calendar = Calendar()
    calendar.add("prodid", "-//Chairside//Infusion appointments//EN")
    calendar.add("version", "2.0")
    upcoming = selectors.upcoming_for_patient(patient)
    for appointment in upcoming:
        calendar.add_component(_event(appointment, request.organization.name))
    audit_record(
        action=AuditEvent.Action.EXPORT,
        user=request.user,
        organization=request.organization,
        obj=patient,
        patient=patient,
        changes={"calendar": [None, f"{len(upcoming)} upcoming appointments"]},
        ip_address=client_ip(request),
    )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointments-{patient.mrn}.ics"'
    return response
