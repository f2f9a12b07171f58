"""Lot reservations: the vials set aside for coming appointments, and "reserve now"."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.inventory import selectors
from chairside.inventory.services import reservation_reserve
from chairside.inventory.services.reservations import window_business_days
from chairside.scheduling.selectors import appointment_or_none
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import sites

RESERVATIONS_CSV = export_columns(
    "inventory:reservations",
    "reserved-stock.csv",
    "Reserved stock (lot reservations)",
    [
        ("appointment", lambda r: r.appointment.local_start().strftime("%Y-%m-%d %H:%M")),
        ("site", lambda r: r.appointment.location.name),
        ("patient_mrn", lambda r: r.appointment.patient.mrn),
        (
            "patient",
            lambda r: f"{r.appointment.patient.last_name}, {r.appointment.patient.first_name}",
        ),
        ("drug", lambda r: r.appointment.order.drug.generic_name),
        ("dose_mg", lambda r: r.dose_mg),
        ("lot", lambda r: r.lot.lot_number),
        ("strength_mg", lambda r: r.lot.package.strength_mg),
        ("storage_place", lambda r: r.lot.storage_place.name if r.lot.storage_place else ""),
        ("patients_own", lambda r: r.lot.patient_id is not None),
        ("expires_on", lambda r: r.lot.expires_on),
        ("vials", lambda r: r.vials),
        ("reserved_at", lambda r: r.created_at),
    ],
)


@require_perm(Perm.INVENTORY_VIEW)
def reservations(request: OrgRequest) -> HttpResponse:
    location = selectors.location_by_id(
        organization=request.organization, public_id=request.GET.get("location")
    )
    rows = selectors.active_reservations(organization=request.organization, location=location)
    if wants_csv(request):
        return csv_response(request, RESERVATIONS_CSV, rows)
    context = {
        "rows": rows,
        "locations": sites(organization=request.organization),
        "location": location,
        "window": window_business_days(),
        "may_reserve": can(request, Perm.INVENTORY_EDIT) or can(request, Perm.SCHEDULE_EDIT),
    }
    return render(request, "inventory/reservations.html", context)


@require_POST
@require_perm(Perm.INVENTORY_VIEW)
def reserve(request: OrgRequest, public_id: str) -> HttpResponse:
    """Reserve an appointment's vials now (the readiness board's "reserve" action)."""
    if not (can(request, Perm.INVENTORY_EDIT) or can(request, Perm.SCHEDULE_EDIT)):
        return HttpResponse("Your role does not allow this.", status=403)
    appointment = appointment_or_none(organization=request.organization, public_id=public_id)
    if appointment is None:
        raise Http404("No such appointment.")
    made = reservation_reserve(appointment=appointment, user=request.user)
    if made:
        vials = ", ".join(f"{r.vials} × lot {r.lot.lot_number}" for r in made)
        messages.success(request, f"Reserved for {appointment.patient}: {vials}.")
    else:
        messages.error(
            request,
            f"Nothing could be reserved for {appointment.patient}: the dose is not known yet "
            "(no weight on file), the appointment is outside the reservation window, or the "
            "free stock at the site cannot cover it (see the forecast).",
        )
    back = request.POST.get("back", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(reverse("inventory:reservations"))
