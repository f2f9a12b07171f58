"""Patient pages: thin — parse the form, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import (
    AUDIT_EVENT_COLUMNS,
    audit_time,
    csv_response,
    export_columns,
    wants_csv,
)
from chairside.audit.selectors import audit_events, patient_reads
from chairside.audit.services import client_ip
from chairside.core.forms_util import add_service_errors, submit_form
from chairside.patients import selectors, services
from chairside.patients.chart import render_sections
from chairside.patients.forms import (
    AllergyForm,
    ContactPreferencesForm,
    CoverageForm,
    DiagnosisForm,
    MeasurementForm,
    PatientForm,
    RemoveForm,
)
from chairside.patients.models import Patient
from chairside.patients.reference import icd10_catalog
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm, role_label
from chairside.tenancy.selectors import site_time_zone

PAGE_SIZE = 25

PATIENTS_CSV = export_columns(
    "patients:list",
    "patients.csv",
    "Patients",
    [
        ("last_name", lambda p: p.last_name),
        ("first_name", lambda p: p.first_name),
        ("mrn", lambda p: p.mrn),
        ("date_of_birth", lambda p: p.date_of_birth),
        ("sex", lambda p: p.sex),
        ("phone", lambda p: p.phone),
        ("site", lambda p: p.home_location.name if p.home_location_id else ""),
        ("active", lambda p: p.is_active),
    ],
)
# One patient's audit trail, and who looked at the chart (HIPAA accounting of access).
PATIENT_AUDIT_CSV = export_columns(
    "patients:audit", "patient-audit-trail.csv", "A patient's audit trail", AUDIT_EVENT_COLUMNS
)
PATIENT_ACCESS_CSV = export_columns(
    "patients:access",
    "patient-access-report.csv",
    "A patient's access report (who looked)",
    [
        ("at", lambda r: audit_time(r.event.at)),
        ("user", lambda r: r.event.username),
        ("ip_address", lambda r: r.event.ip_address),
        ("role", lambda r: role_label(r.event.role) if r.event.role else ""),
        ("path", lambda r: r.event.path),
        ("record", lambda r: r.event.object_repr),
    ],
)


@require_perm(Perm.PATIENT_VIEW)
def patient_list(request: OrgRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    include_inactive = request.GET.get("inactive") == "1"
    found = selectors.patient_search(
        organization=request.organization, query=query, include_inactive=include_inactive
    )
    if wants_csv(request):
        return csv_response(request, PATIENTS_CSV, found)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    if request.GET.get("go") == "1" and query.strip() and page.paginator.count == 1:
        # The top bar's search: one match opens the chart straight away.
        return redirect("patients:chart", public_id=page.object_list[0].public_id)
    context = {
        "page": page,
        "query": query,
        "include_inactive": include_inactive,
        "can_create": can(request, Perm.PATIENT_EDIT),
    }
    if request.htmx:
        return render(request, "patients/_patient_rows.html", context)
    return render(request, "patients/patient_list.html", context)


@require_perm(Perm.PATIENT_VIEW)
def patient_chart(request: OrgRequest, public_id: str) -> HttpResponse:
    patient = selectors.patient_chart(organization=request.organization, public_id=public_id)
    services.patient_chart_viewed(patient=patient, user=request.user, ip_address=client_ip(request))
    measurements = list(patient.measurements.all())
    today = timezone.localdate()
    context = {
        "patient": patient,
        "today": today,
        "age": patient.age_on(today),
        "latest": measurements[0] if measurements else None,
        "measurements": measurements[:12],
        "can_edit": can(request, Perm.PATIENT_EDIT),
        "can_clinical": can(request, Perm.CLINICAL_EDIT),
        "can_audit": can(request, Perm.AUDIT_VIEW),
        "extra_sections": chart_sections(request, patient),
    }
    return render(request, "patients/patient_chart.html", context)


def chart_sections(request: OrgRequest, patient: object) -> list[str]:
    """HTML fragments other modules add to the chart (orders, appointments, visits)."""

    return render_sections(request, patient)


# Not submit_form (patient_create, patient_edit): a likely duplicate is a third outcome, neither
# saved nor refused, that re-renders the form with the matches.
def _save_patient_form(request: OrgRequest, form: PatientForm, patient: object = None) -> object:
    data = dict(form.cleaned_data)
    confirmed = data.pop("confirm_not_duplicate", False)
    if patient is None and not confirmed:
        dupes = services.likely_duplicates(
            organization=request.organization,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
        )
        if dupes:
            return dupes
    try:
        if patient is None:
            return services.patient_create(
                organization=request.organization, user=request.user, **data
            )
        return services.patient_update(patient=patient, user=request.user, **data)  # type: ignore[arg-type]
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@require_perm(Perm.PATIENT_EDIT)
def patient_create(request: OrgRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, organization=request.organization)
    duplicates: object = []
    if request.method == "POST" and form.is_valid():
        result = _save_patient_form(request, form)
        if isinstance(result, list):
            duplicates = result
        elif result is not None:
            messages.success(request, f"{result} registered.")
            return redirect("patients:chart", public_id=result.public_id)  # type: ignore[attr-defined]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "duplicates": duplicates},
        status=status,
    )


@require_perm(Perm.PATIENT_EDIT)
def patient_edit(request: OrgRequest, public_id: str) -> HttpResponse:
    patient = selectors.access_patient(organization=request.organization, public_id=public_id)
    form = PatientForm(request.POST or None, instance=patient, organization=request.organization)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_patient_form(request, form, patient) is not None
    ):
        messages.success(request, "Changes saved.")
        return redirect("patients:chart", public_id=patient.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "patients/patient_form.html", {"form": form, "patient": patient}, status=status
    )


@require_perm(Perm.PATIENT_EDIT)
def contact_preferences(request: OrgRequest, public_id: str) -> HttpResponse:
    patient = selectors.access_patient(organization=request.organization, public_id=public_id)
    initial = {
        "channel": patient.reminder_channel,
        "sms_consent": patient.sms_consent_at is not None,
        "opted_out": patient.reminders_opted_out_at is not None,
    }
    form = ContactPreferencesForm(request.POST or None, initial=initial)
    return submit_form(
        request,
        form,
        save=lambda data: services.patient_contact_preferences_set(
            patient=patient, user=request.user, **data
        ),
        message="Reminder preferences saved.",
        done=_chart_url(patient),
        template="patients/child_form.html",
        context={"patient": patient, "title": "Reminder preferences"},
    )


def _chart_url(patient: Patient) -> str:
    return reverse("patients:chart", kwargs={"public_id": patient.public_id})


def _child_form_view(
    request: OrgRequest, public_id: str, form_class: type, save: object, title: str
) -> HttpResponse:
    """Shared flow of the chart's small add forms (allergy, diagnosis, weight, coverage)."""
    patient = selectors.access_patient(organization=request.organization, public_id=public_id)
    kwargs = {"organization": request.organization} if form_class is CoverageForm else {}
    form = form_class(request.POST or None, **kwargs)
    return submit_form(
        request,
        form,
        save=lambda data: save(patient, data),  # type: ignore[operator]
        message=f"{title} saved.",
        done=_chart_url(patient),
        template="patients/child_form.html",
        context=lambda: {"patient": patient, "title": title, "icd10": icd10_catalog().values()},
    )


@require_perm(Perm.CLINICAL_EDIT)
def allergy_add(request: OrgRequest, public_id: str) -> HttpResponse:
    return _child_form_view(
        request,
        public_id,
        AllergyForm,
        lambda p, d: services.allergy_add(patient=p, user=request.user, **d),
        "Allergy",
    )


@require_perm(Perm.PATIENT_EDIT)
def diagnosis_add(request: OrgRequest, public_id: str) -> HttpResponse:
    return _child_form_view(
        request,
        public_id,
        DiagnosisForm,
        lambda p, d: services.diagnosis_add(patient=p, user=request.user, **d),
        "Diagnosis",
    )


@require_perm(Perm.CLINICAL_EDIT)
def measurement_add(request: OrgRequest, public_id: str) -> HttpResponse:
    return _child_form_view(
        request,
        public_id,
        MeasurementForm,
        lambda p, d: services.measurement_record(patient=p, user=request.user, **d),
        "Weight",
    )


@require_perm(Perm.PATIENT_EDIT)
def coverage_add(request: OrgRequest, public_id: str) -> HttpResponse:
    return _child_form_view(
        request,
        public_id,
        CoverageForm,
        lambda p, d: services.coverage_add(patient=p, user=request.user, **d),
        "Coverage",
    )


@require_perm(Perm.PATIENT_EDIT)
def coverage_edit(request: OrgRequest, public_id: str, coverage_id: str) -> HttpResponse:
    patient = selectors.access_patient(organization=request.organization, public_id=public_id)
    coverage = selectors.access_coverage(patient=patient, public_id=coverage_id)
    form = CoverageForm(request.POST or None, instance=coverage, organization=request.organization)
    return submit_form(
        request,
        form,
        save=lambda data: services.coverage_update(coverage=coverage, user=request.user, **data),
        message="Coverage saved.",
        done=_chart_url(patient),
        template="patients/child_form.html",
        context={"patient": patient, "title": "Coverage"},
    )


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def allergy_remove(request: OrgRequest, public_id: str, item_id: str) -> HttpResponse:
    patient = selectors.access_patient(organization=request.organization, public_id=public_id)
    allergy = selectors.access_allergy(patient=patient, public_id=item_id)
    form = RemoveForm(request.POST)
    if form.is_valid():
        services.allergy_remove(
            allergy=allergy, user=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{allergy.substance} removed from allergies.")
    else:
        messages.error(request, "Give a reason to remove an allergy.")
    return redirect("patients:chart", public_id=patient.public_id)


@require_POST
@require_perm(Perm.PATIENT_EDIT)
def diagnosis_remove(request: OrgRequest, public_id: str, item_id: str) -> HttpResponse:
    patient = selectors.access_patient(organization=request.organization, public_id=public_id)
    diagnosis = selectors.access_diagnosis(patient=patient, public_id=item_id)
    form = RemoveForm(request.POST)
    if form.is_valid():
        services.diagnosis_remove(
            diagnosis=diagnosis, user=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{diagnosis.icd10_code} removed.")
    else:
        messages.error(request, "Give a reason to remove a diagnosis.")
    return redirect("patients:chart", public_id=patient.public_id)


@require_perm(Perm.AUDIT_VIEW)
def patient_audit(request: OrgRequest, public_id: str) -> HttpResponse:
    patient = selectors.access_patient(organization=request.organization, public_id=public_id)
    events = audit_events(organization=request.organization, patient_id=patient.public_id)
    if wants_csv(request):
        with timezone.override(site_time_zone(organization=request.organization)):
            return csv_response(request, PATIENT_AUDIT_CSV, events)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "patients/patient_audit.html", {"patient": patient, "page": page})


@require_perm(Perm.AUDIT_VIEW)
def patient_access(request: OrgRequest, public_id: str) -> HttpResponse:
    """Who looked at this chart: every read that showed the patient (HIPAA accounting)."""
    patient = selectors.access_patient(organization=request.organization, public_id=public_id)
    reads = patient_reads(organization=request.organization, patient_id=patient.public_id)
    if wants_csv(request):
        with timezone.override(site_time_zone(organization=request.organization)):
            return csv_response(request, PATIENT_ACCESS_CSV, reads)
    page = Paginator(reads, 50).get_page(request.GET.get("page"))
    return render(request, "patients/patient_access.html", {"patient": patient, "page": page})
