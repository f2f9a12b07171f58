"""The pharmacist's queue (served under /inventory/queue/): verify booked doses, then prepare."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.inventory.selectors import location_by_id
from chairside.scheduling.selectors import appointment_or_none
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import sites
from chairside.treatments import pharmacy, services
from chairside.treatments.models import EarlyPreparation


def prepare_url(request: OrgRequest, row: pharmacy.QueueRow) -> str:
    """Where "Prepare" goes: the visit's preparation step for a nurse or provider whose
    patient is in the chair, otherwise the pharmacy's dispense page, filled in."""
    if row.visit is not None and can(request, Perm.CLINICAL_EDIT):
        return reverse("treatments:preparation", args=[row.visit.public_id])
    dose = row.verification.dose_mg if row.verification else row.plan.dose_mg
    query = {
        "location": row.appointment.location_id,
        "patient": row.appointment.patient.mrn,
        "drug": row.appointment.order.drug_id,
        "dose_mg": f"{(dose or Decimal(0)).normalize():f}",
        "visit_ref": row.dispense_ref,
    }
    return f"{reverse('inventory:dispense')}?{urlencode(query)}"


QUEUE_CSV = export_columns(
    "inventory:queue",
    "pharmacy-queue.csv",
    "Pharmacy queue",
    [
        ("day", lambda r: r.day),
        ("start", lambda r: r.appointment.start),
        ("site", lambda r: r.appointment.location.name),
        ("patient", lambda r: r.appointment.patient.full_name),
        ("mrn", lambda r: r.appointment.patient.mrn),
        ("drug", lambda r: r.appointment.order.drug.generic_name),
        ("dose_number", lambda r: r.appointment.dose_number),
        ("dose_mg", lambda r: r.plan.dose_mg),
        ("weight_kg", lambda r: r.weight_kg),
        ("vials", lambda r: "; ".join(f"{n} x {lot.lot_number}" for lot, n in r.picks)),
        ("status", lambda r: r.status_label),
        ("stock_problem", lambda r: r.stock_problem),
    ],
)


@require_perm(Perm.INVENTORY_VIEW)
def queue(request: OrgRequest) -> HttpResponse:
    today = timezone.localdate()
    locations = sites(organization=request.organization)
    location = location_by_id(
        organization=request.organization, public_id=request.GET.get("location")
    )
    rows = pharmacy.pharmacy_queue(
        organization=request.organization, today=today, location=location
    )
    if wants_csv(request):
        return csv_response(request, QUEUE_CSV, rows)
    days = [(day, [r for r in rows if r.day == day]) for day in sorted({r.day for r in rows})]
    context = {
        "days": days,
        "today": today,
        "locations": locations,
        "location": location,
        "to_verify": sum(1 for r in rows if r.needs_verification),
        "can_verify": can(request, Perm.INVENTORY_EDIT),
        "prepare_urls": {r.appointment.pk: prepare_url(request, r) for r in rows},
        "can_record_early": _may_record_early(request),
        "early_reasons": EarlyPreparation.Reason.choices,
    }
    return render(request, "treatments/pharmacy_queue.html", context)


@require_POST
@require_perm(Perm.INVENTORY_EDIT)
def verify(request: OrgRequest, public_id: str) -> HttpResponse:
    appointment = appointment_or_none(organization=request.organization, public_id=public_id)
    if appointment is None:
        raise Http404("No such appointment.")
    try:
        dose = Decimal(request.POST.get("dose_mg", ""))
    except InvalidOperation:
        messages.error(request, "The dose shown was not sent: reload the page and verify again.")
        return redirect(_back(request))
    try:
        made = services.dose_verify(appointment=appointment, user=request.user, dose_mg=dose)
    except ValidationError as exc:
        messages.error(request, f"{appointment.patient}: {' '.join(exc.messages)}")
    else:
        messages.success(
            request,
            f"Verified {made.dose_mg.normalize():f} mg {appointment.order.drug.generic_name} "
            f"for {appointment.patient}.",
        )
    return redirect(_back(request))


def _back(request: OrgRequest) -> str:
    location = request.POST.get("location", "")
    url = reverse("inventory:queue")
    return f"{url}?{urlencode({'location': location})}" if location else url


def _may_record_early(request: OrgRequest) -> bool:
    return can(request, Perm.CLINICAL_EDIT) or can(request, Perm.INVENTORY_EDIT)


@require_POST
@require_perm(Perm.PATIENT_VIEW)
def early_prep(request: OrgRequest, public_id: str) -> HttpResponse:
    """A pharmacist or nurse records why this dose is prepared before check-in (audited)."""
    if not _may_record_early(request):
        raise PermissionDenied("Your role does not allow this.")
    appointment = appointment_or_none(organization=request.organization, public_id=public_id)
    if appointment is None:
        raise Http404("No such appointment.")
    try:
        services.early_preparation_record(
            appointment=appointment,
            user=request.user,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, f"{appointment.patient}: {' '.join(exc.messages)}")
    else:
        messages.success(
            request, f"Early preparation recorded for {appointment.patient}: prepare it now."
        )
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(wanted)
    return redirect(_back(request))
