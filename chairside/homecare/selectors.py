"""Reads for home care, always scoped to one organization (and, for nurses, to themselves)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from chairside.homecare.models import DeliveryTicket, FieldShift, HomeVisit, RoutePlan
from chairside.patients.models import Patient
from chairside.tenancy.models import Location, Organization, StaffMember
from chairside.tenancy.roles import Perm, Role, has_perm


def home_locations(*, organization: Organization) -> QuerySet[Location]:
    return Location.objects.filter(
        organization=organization, site_type=Location.SiteType.HOME, is_active=True
    )


def access_location(*, organization: Organization, public_id: Any) -> Location:
    """The organization's home-infusion location by public id (the first when none given)."""
    places = home_locations(organization=organization)
    try:
        place = (
            places.filter(public_id=uuid.UUID(str(public_id))).first()
            if public_id
            else places.first()
        )
    except ValueError:
        place = None
    if place is None:
        raise Http404("No such home-infusion location.")
    return place


def staff_of(*, organization: Organization, user: Any) -> StaffMember | None:
    """The staff record of the logged-in person in this organization, if any."""
    return StaffMember.objects.filter(organization=organization, user=user, is_active=True).first()


def sees_only_own(role: str | None) -> bool:
    """Nurses see and record their own route; coordinators and the rest see the whole day."""
    return role == Role.NURSE


def deliveries(
    *, organization: Organization, location: Location, date: dt.date
) -> QuerySet[DeliveryTicket]:
    return (
        DeliveryTicket.objects.filter(organization=organization, location=location, date=date)
        .select_related("patient", "patient__home_address", "assigned_to")
        .prefetch_related("items", "items__lot")
    )


def visits(*, organization: Organization, location: Location, date: dt.date) -> QuerySet[HomeVisit]:
    return HomeVisit.objects.filter(
        organization=organization, location=location, date=date
    ).select_related("patient", "patient__home_address", "nurse")


def shifts(
    *, organization: Organization, location: Location, date: dt.date
) -> QuerySet[FieldShift]:
    return FieldShift.objects.filter(
        organization=organization, location=location, date=date
    ).select_related("staff")


def plans(*, organization: Organization, location: Location, date: dt.date) -> QuerySet[RoutePlan]:
    return RoutePlan.objects.filter(organization=organization, location=location, date=date)


def access_plan(*, organization: Organization, public_id: Any) -> RoutePlan:
    try:
        return RoutePlan.objects.select_related("location").get(
            organization=organization, public_id=uuid.UUID(str(public_id))
        )
    except (RoutePlan.DoesNotExist, ValueError):
        raise Http404("No such route plan.") from None


def access_ticket(
    *, organization: Organization, public_id: Any, user: Any, role: str | None
) -> DeliveryTicket:
    """A delivery ticket of the organization; a nurse reaches only the ones she carries."""
    found = DeliveryTicket.objects.select_related(
        "patient", "patient__home_address", "assigned_to", "location"
    ).filter(organization=organization)
    if sees_only_own(role):
        found = found.filter(assigned_to__user=user)
    try:
        return found.get(public_id=uuid.UUID(str(public_id)))
    except (DeliveryTicket.DoesNotExist, ValueError):
        raise Http404("No such delivery ticket.") from None


def own_route(
    *, organization: Organization, staff: StaffMember, date: dt.date
) -> list[DeliveryTicket | HomeVisit]:
    """The person's stops on the day as the accepted plan ordered them."""
    stops: list[DeliveryTicket | HomeVisit] = [
        *DeliveryTicket.objects.filter(organization=organization, assigned_to=staff, date=date)
        .exclude(status=DeliveryTicket.Status.CANCELLED)
        .select_related("patient", "patient__home_address")
        .prefetch_related("items"),
        *HomeVisit.objects.filter(organization=organization, nurse=staff, date=date)
        .exclude(status=HomeVisit.Status.CANCELLED)
        .select_related("patient", "patient__home_address"),
    ]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(stops, key=lambda s: (s.planned_at or far, s.window_start))


def may_record_proof(role: str | None) -> bool:
    """Coordinators (from the courier's paperwork) and nurses (their own) record delivery."""
    return has_perm(role, Perm.SCHEDULE_EDIT) or has_perm(role, Perm.CLINICAL_EDIT)


def patient_services(
    *, organization: Organization, patient: Patient, start: dt.date, end: dt.date
) -> tuple[list[DeliveryTicket], list[HomeVisit]]:
    """A patient's deliveries (not cancelled) and home visits from ``start`` to ``end``
    inclusive, oldest first: what billing derives a home infusion period's days from."""
    tickets = list(
        DeliveryTicket.objects.filter(
            organization=organization, patient=patient, date__range=(start, end)
        )
        .exclude(status=DeliveryTicket.Status.CANCELLED)
        .order_by("date", "id")
    )
    visits = list(
        HomeVisit.objects.filter(
            organization=organization, patient=patient, date__range=(start, end)
        )
        .exclude(status=HomeVisit.Status.CANCELLED)
        .order_by("date", "id")
    )
    return tickets, visits


def last_delivery_on_or_before(
    *, organization: Organization, patient: Patient, day: dt.date
) -> DeliveryTicket | None:
    """The delivery (not cancelled) whose supplies a day of therapy uses: the latest one
    on or before that day."""
    return (
        DeliveryTicket.objects.filter(organization=organization, patient=patient, date__lte=day)
        .exclude(status=DeliveryTicket.Status.CANCELLED)
        .order_by("-date", "-id")
        .first()
    )


def home_patients_with_services(
    *, organization: Organization, start: dt.date, end: dt.date
) -> QuerySet[Patient]:
    """The organization's patients with a delivery or a home visit in the period."""
    tickets = DeliveryTicket.objects.filter(
        organization=organization, date__range=(start, end)
    ).exclude(status=DeliveryTicket.Status.CANCELLED)
    visits = HomeVisit.objects.filter(organization=organization, date__range=(start, end)).exclude(
        status=HomeVisit.Status.CANCELLED
    )
    ids = set(tickets.values_list("patient_id", flat=True)) | set(
        visits.values_list("patient_id", flat=True)
    )
    return Patient.objects.filter(organization=organization, pk__in=ids).order_by(
        "last_name", "first_name"
    )
