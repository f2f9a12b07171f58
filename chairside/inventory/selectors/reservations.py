"""Reads of the lot reservations, always scoped to one organization."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from chairside.inventory.models import Reservation


def active_reservations(*, organization: Any, location: Any = None) -> QuerySet[Reservation]:
    """Every active reservation, by appointment start (the reservations page)."""
    found = Reservation.objects.filter(organization=organization, status="active")
    if location is not None:
        found = found.filter(lot__storage_place__location=location)
    return found.select_related(
        "lot__package__drug",
        "lot__storage_place",
        "appointment__patient",
        "appointment__location",
        "appointment__order__drug",
    ).order_by("appointment__start", "appointment_id", "lot__expires_on")


def lot_reservations(lot: Any) -> QuerySet[Reservation]:
    """A lot's reservations, active first, then the most recent."""
    return (
        Reservation.objects.filter(lot=lot)
        .select_related("appointment__patient", "appointment__location")
        .order_by("-status", "appointment__start")
    )


def appointment_reservations(appointment: Any) -> list[Reservation]:
    return list(
        Reservation.objects.filter(appointment=appointment)
        .select_related("lot__package", "lot__storage_place")
        .order_by("-status", "lot__expires_on")
    )


def reserved_for(appointment_ids: list[int]) -> dict[int, list[Reservation]]:
    """Active reservations per appointment (the readiness board's batch read)."""
    found: dict[int, list[Reservation]] = defaultdict(list)
    rows = Reservation.objects.filter(appointment_id__in=appointment_ids, status="active")
    for row in rows.select_related("lot"):
        found[row.appointment_id].append(row)
    return found


def reserved_vials_by_package(*, organization: Any, location: Any, today: dt.date) -> Any:
    """Active reserved vials of usable lots at a site: {package id: vials} for the center's
    stock and {(patient id, package id): vials} for patients' own (the forecast)."""
    center: dict[int, int] = defaultdict(int)
    own: dict[tuple[str, int], int] = defaultdict(int)
    rows = Reservation.objects.filter(
        organization=organization,
        status="active",
        lot__storage_place__location=location,
        lot__expires_on__gte=today,
    ).values_list("lot__package_id", "lot__patient_id", "vials", "appointment_id")
    appointments: set[int] = set()
    for package_id, patient_id, vials, appointment_id in rows:
        appointments.add(appointment_id)
        if patient_id:
            own[(str(patient_id), package_id)] += vials
        else:
            center[package_id] += vials
    return center, own, appointments
