"""The compliance page of a location, its PDF for a surveyor, and the forms that feed it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, client_ip
from chairside.compliance import forms as f
from chairside.compliance import selectors, services
from chairside.compliance.models import (
    TemperatureImport,
)
from chairside.core.forms_util import add_service_errors
from chairside.core.pdf import pdf_response
from chairside.patients.selectors import patient_with_mrn
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.models import Location
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import staff_member, staff_of_user

DEFAULT_DAYS = 30


@require_perm(Perm.COMPLIANCE_VIEW)
def index(request: OrgRequest) -> HttpResponse:
    first = selectors.locations(organization=request.organization).first()
    if first is None:
        return render(request, "compliance/no_location.html", status=404)
    return redirect("compliance:page", location_id=first.public_id)


def _period(request: OrgRequest) -> tuple[dt.date, dt.date, f.PeriodForm]:
    today = timezone.localdate()
    default = {"start": today - dt.timedelta(days=DEFAULT_DAYS), "end": today}
    form = f.PeriodForm(request.GET if "start" in request.GET else None, initial=default)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["start"], form.cleaned_data["end"], form
    return default["start"], default["end"], form


def _context(request: OrgRequest, location: Location) -> dict[str, Any]:
    start, end, period = _period(request)
    today = timezone.localdate()
    sections = selectors.evidence(
        organization=request.organization, location=location, start=start, end=end, today=today
    )
    me = staff_of_user(organization=request.organization, user=request.user)
    return {
        "location": location,
        "locations": selectors.locations(organization=request.organization),
        "sections": {s.key: s for s in sections},
        "section_list": sections,
        "start": start,
        "end": end,
        "period": period,
        "today": today,
        "now": timezone.now(),
        "me": me,
        "can_edit": can(request, Perm.COMPLIANCE_EDIT),
        "imports": selectors.recent_imports(organization=request.organization, location=location),
    }


@require_perm(Perm.COMPLIANCE_VIEW)
def page(request: OrgRequest, location_id: str) -> HttpResponse:
    location = selectors.access_location(organization=request.organization, public_id=location_id)
    context = _context(request, location)
    status = 400 if context["period"].is_bound and not context["period"].is_valid() else 200
    return render(request, "compliance/page.html", context, status=status)


@require_perm(Perm.COMPLIANCE_VIEW)
def pdf(request: OrgRequest, location_id: str) -> HttpResponse:
    """The whole page as one PDF for an accreditation surveyor, audited as an export
    (``?format=html``: the same document as a printable page, to preview it)."""
    location = selectors.access_location(organization=request.organization, public_id=location_id)
    context = _context(request, location)
    if context["period"].is_bound and not context["period"].is_valid():
        return render(request, "compliance/page.html", context, status=400)
    context["organization"] = request.organization
    html = render_to_string("compliance/report_pdf.html", context, request=request)
    if request.GET.get("format") == "html":
        return HttpResponse(html)
    audit_record(
        action=AuditEvent.Action.EXPORT,
        user=request.user,
        organization=request.organization,
        obj=location,
        changes={"period": [None, f"{context['start']:%Y-%m-%d} to {context['end']:%Y-%m-%d}"]},
        reason="Accreditation evidence PDF",
    )
    name = f"compliance-{location.name}-{context['end']:%Y%m%d}.pdf".replace(" ", "-")
    return pdf_response(request, html, filename=name, attachment=True)


# --- forms ---------------------------------------------------------------------------------


def _form_page(
    request: OrgRequest,
    *,
    form: forms.Form,
    location: Location,
    title: str,
    save: Callable[[dict[str, Any]], str],
    anchor: str,
    intro: str = "",
    multipart: bool = False,
) -> HttpResponse:
    """GET shows the form; a valid POST calls ``save`` (the service) and returns to the
    page's section; a refused one is a 400 with the reasons on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            message = save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(f"/compliance/{location.public_id}/#{anchor}")
    context = {
        "form": form,
        "location": location,
        "title": title,
        "intro": intro,
        "anchor": anchor,
        "multipart": multipart,
    }
    return render(
        request, "compliance/form.html", context, status=400 if request.method == "POST" else 200
    )


def _local(at: dt.datetime, location: Location) -> str:
    return f"{timezone.localtime(at, location.tz):%m/%d/%Y %H:%M}"


def _refused(request: OrgRequest, location: Location, exc: ValidationError) -> HttpResponse:
    """A refused button on the page: the page again, with the reason, as a 400."""
    context = _context(request, location)
    context["refusal"] = " ".join(exc.messages)
    return render(request, "compliance/page.html", context, status=400)


def _location(request: OrgRequest, location_id: str) -> Location:
    return selectors.access_location(organization=request.organization, public_id=location_id)


@require_perm(Perm.COMPLIANCE_EDIT)
def licence_new(request: OrgRequest, location_id: str) -> HttpResponse:
    location = _location(request, location_id)
    form = f.LicenceForm(request.POST or None, organization=request.organization)

    def save(data: dict[str, Any]) -> str:
        lic = services.licence_save(organization=request.organization, user=request.user, **data)
        return f"Licence {lic} of {lic.staff} saved; verify it with the primary source."

    return _form_page(
        request, form=form, location=location, title="Add a licence", save=save, anchor="licences"
    )


@require_perm(Perm.COMPLIANCE_EDIT)
def licence_verify(request: OrgRequest, location_id: str, public_id: str) -> HttpResponse:
    location = _location(request, location_id)
    licence = selectors.access_licence(organization=request.organization, public_id=public_id)
    form = f.VerifyForm(request.POST or None)

    def save(data: dict[str, Any]) -> str:
        services.licence_verify(licence=licence, user=request.user, **data)
        return f"Licence {licence} of {licence.staff} verified."

    return _form_page(
        request,
        form=form,
        location=location,
        title=f"Verify {licence.staff}'s licence {licence}",
        intro=f"Expires {licence.expires_on:%m/%d/%Y}. Look it up with the issuing board "
        "(or Nursys for nurses) and say where.",
        save=save,
        anchor="licences",
    )


@require_perm(Perm.COMPLIANCE_EDIT)
def checkoff_new(request: OrgRequest, location_id: str) -> HttpResponse:
    location = _location(request, location_id)
    form = f.CheckoffForm(request.POST or None, organization=request.organization)

    def save(data: dict[str, Any]) -> str:
        checkoff = services.checkoff_record(
            organization=request.organization,
            user=request.user,
            staff=data["staff"],
            skill=data["skill"],
            checked_on=data["checked_on"],
            notes=data["notes"],
            checker_username=data["checker_username"],
            checker_password=data["checker_password"],
            ip_address=client_ip(request),
        )
        return (
            f"{checkoff.get_skill_display()} checked off for {checkoff.staff} by "
            f"{checkoff.checked_by_name}; next due {checkoff.due_on:%m/%d/%Y}."
        )

    return _form_page(
        request,
        form=form,
        location=location,
        title="Record an annual skills check-off",
        intro="The colleague who watched the skill confirms it with her own user name and "
        "password, on this device. It renews the competency for a year.",
        save=save,
        anchor="skills",
    )


@require_perm(Perm.COMPLIANCE_EDIT)
def policy_new(request: OrgRequest, location_id: str) -> HttpResponse:
    location = _location(request, location_id)
    form = f.PolicyForm(request.POST or None, organization=request.organization)

    def save(data: dict[str, Any]) -> str:
        policy = services.policy_save(organization=request.organization, user=request.user, **data)
        return f"{policy} saved: staff acknowledge it from this page."

    return _form_page(
        request,
        form=form,
        location=location,
        title="Add a policy (or a new version)",
        save=save,
        anchor="policies",
    )


@require_POST
@require_perm(Perm.COMPLIANCE_VIEW)
def policy_acknowledge(request: OrgRequest, location_id: str, public_id: str) -> HttpResponse:
    location = _location(request, location_id)
    policy = selectors.access_policy(organization=request.organization, public_id=public_id)
    staff_id = request.POST.get("staff", "")
    staff = (
        staff_member(organization=request.organization, public_id=staff_id)
        if staff_id
        else staff_of_user(organization=request.organization, user=request.user)
    )
    if staff is None:
        return _refused(
            request,
            location,
            ValidationError("No staff record is yours: ask an administrator to add you."),
        )
    try:
        services.policy_acknowledge(policy=policy, staff=staff, user=request.user)
    except ValidationError as exc:
        return _refused(request, location, exc)
    messages.success(request, f"{staff} acknowledged {policy}.")
    return redirect(f"/compliance/{location.public_id}/#policies")


@require_perm(Perm.COMPLIANCE_EDIT)
def device_new(request: OrgRequest, location_id: str) -> HttpResponse:
    location = _location(request, location_id)
    form = f.DeviceForm(request.POST or None)

    def save(data: dict[str, Any]) -> str:
        device = services.device_save(
            organization=request.organization, user=request.user, location=location, **data
        )
        return f"{device} ({device.low_c} to {device.high_c} °C) added."

    return _form_page(
        request,
        form=form,
        location=location,
        title=f"Add a refrigerator, freezer or room at {location}",
        save=save,
        anchor="temperatures",
    )


@require_perm(Perm.COMPLIANCE_EDIT)
def reading_new(request: OrgRequest, location_id: str) -> HttpResponse:
    location = _location(request, location_id)
    form = f.ReadingForm(request.POST or None, location=location)

    def save(data: dict[str, Any]) -> str:
        reading = services.reading_record(user=request.user, **data)
        if reading.excursion_id:
            return (
                f"{reading.celsius} °C recorded: out of range, an excursion that needs a follow-up."
            )
        return f"{reading.celsius} °C recorded for {reading.device}."

    return _form_page(
        request,
        form=form,
        location=location,
        title="Record a temperature reading",
        save=save,
        anchor="temperatures",
    )


@require_perm(Perm.COMPLIANCE_EDIT)
def csv_upload(request: OrgRequest, location_id: str) -> HttpResponse:
    location = _location(request, location_id)
    form = f.CsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.temperature_csv_upload(
                organization=request.organization,
                user=request.user,
                location=location,
                filename=upload.name,
                data=upload.read(services.temperature.MAX_BYTES + 1),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(
                "compliance:import", location_id=location.public_id, public_id=batch.public_id
            )
    context = {
        "form": form,
        "location": location,
        "title": "Import a temperature log (CSV)",
        "intro": services.temperature.CSV_HINT
        + " First a dry run lists every row's problems; then all rows are imported, or none.",
        "anchor": "temperatures",
        "multipart": True,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "compliance/form.html", context, status=status)


@require_perm(Perm.COMPLIANCE_EDIT)
def csv_batch(request: OrgRequest, location_id: str, public_id: str) -> HttpResponse:
    location = _location(request, location_id)
    batch = selectors.access_temperature_import(
        organization=request.organization, location=location, public_id=public_id
    )
    status = 200
    if request.method == "POST":
        try:
            batch = services.temperature_csv_commit(batch=batch, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            if batch.status == TemperatureImport.Status.IMPORTED:
                messages.success(
                    request, f"{batch.row_count} readings imported from {batch.filename}."
                )
                return redirect(f"/compliance/{location.public_id}/#temperatures")
            status = 400
    return render(
        request, "compliance/import.html", {"batch": batch, "location": location}, status=status
    )


@require_perm(Perm.COMPLIANCE_EDIT)
def excursion_follow_up(request: OrgRequest, location_id: str, public_id: str) -> HttpResponse:
    location = _location(request, location_id)
    excursion = selectors.access_excursion(
        organization=request.organization, location=location, public_id=public_id
    )
    form = f.FollowUpForm(request.POST or None)

    def save(data: dict[str, Any]) -> str:
        services.excursion_follow_up(excursion=excursion, user=request.user, **data)
        return f"Follow-up of the {excursion.device} excursion recorded."

    return _form_page(
        request,
        form=form,
        location=location,
        title=f"Follow up the excursion of {excursion.device}",
        intro=f"{excursion.description} From {_local(excursion.started_at, location)} "
        f"to {_local(excursion.ended_at, location)}, {excursion.min_c} to {excursion.max_c} °C.",
        save=save,
        anchor="temperatures",
    )


@require_perm(Perm.COMPLIANCE_EDIT)
def incident_new(request: OrgRequest, location_id: str) -> HttpResponse:
    location = _location(request, location_id)
    form = f.IncidentForm(request.POST or None)

    def save(data: dict[str, Any]) -> str:
        mrn = data.pop("patient_mrn").strip()
        patient = None
        if mrn:
            patient = patient_with_mrn(organization=request.organization, mrn=mrn)
            if patient is None:
                raise ValidationError({"patient_mrn": f"No patient of yours has MRN {mrn}."})
        incident = services.incident_report(
            organization=request.organization,
            user=request.user,
            location=location,
            patient=patient,
            **data,
        )
        return f"{incident} recorded: add its follow-up actions."

    return _form_page(
        request,
        form=form,
        location=location,
        title="Report an incident",
        save=save,
        anchor="incidents",
    )


@require_perm(Perm.COMPLIANCE_EDIT)
def action_new(request: OrgRequest, location_id: str, public_id: str) -> HttpResponse:
    location = _location(request, location_id)
    incident = selectors.access_incident(
        organization=request.organization, location=location, public_id=public_id
    )
    form = f.ActionForm(request.POST or None, organization=request.organization)

    def save(data: dict[str, Any]) -> str:
        item = services.incident_action_add(incident=incident, user=request.user, **data)
        return f"Follow-up '{item.action}' assigned to {item.owner}."

    return _form_page(
        request,
        form=form,
        location=location,
        title=f"Add a follow-up to the {incident}",
        save=save,
        anchor="incidents",
    )


@require_POST
@require_perm(Perm.COMPLIANCE_EDIT)
def action_done(request: OrgRequest, location_id: str, public_id: str) -> HttpResponse:
    location = _location(request, location_id)
    item = selectors.access_incident_action(
        organization=request.organization, location=location, public_id=public_id
    )
    try:
        services.incident_action_done(item=item, user=request.user)
    except ValidationError as exc:
        return _refused(request, location, exc)
    messages.success(request, f"'{item.action}' marked done.")
    return redirect(f"/compliance/{location.public_id}/#incidents")
