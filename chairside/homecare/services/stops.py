"""Homes, shifts, delivery tickets (with their items and proof of delivery), home visits."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, diff, snapshot
from chairside.core.actors import acting_user
from chairside.homecare.events import home_service_documented
from chairside.homecare.models import (
    DeliveryItem,
    DeliveryTicket,
    FieldShift,
    HomeVisit,
    PatientHome,
)
from chairside.inventory.models import Lot
from chairside.patients.models import Patient
from chairside.tenancy.models import Location, Organization, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PNG_DATA_URL = "data:image/png;base64,"
MAX_DRAWING_BYTES = 150_000  # a signature drawn on a tablet is a few kilobytes
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _same_org(organization: Organization, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and obj.organization_id != organization.pk:
            raise ValidationError("That record belongs to another organization.")


def _home_location(organization: Organization, location: Location) -> None:
    _same_org(organization, location)
    if location.site_type != Location.SiteType.HOME:
        raise ValidationError(f"{location} is not a home-infusion location.")


@transaction.atomic
def home_set(
    *,
    organization: Organization,
    user: User | None,
    patient: Patient,
    location: Location,
    address_line1: str,
    city: str,
    state: str,
    postal_code: str,
    latitude: Decimal,
    longitude: Decimal,
    address_line2: str = "",
    access_notes: str = "",
    is_demo: bool = False,
) -> PatientHome:
    """Record (or correct) where a patient is visited and delivered to."""
    _same_org(organization, patient)
    _home_location(organization, location)
    home = PatientHome.objects.filter(patient=patient).first()
    before = snapshot(home) if home else {}
    home = home or PatientHome(organization=organization, patient=patient)
    for field, value in {
        "location": location,
        "address_line1": address_line1,
        "address_line2": address_line2,
        "city": city,
        "state": state.upper(),
        "postal_code": postal_code,
        "latitude": latitude,
        "longitude": longitude,
        "access_notes": access_notes,
        "is_demo": is_demo,
    }.items():
        setattr(home, field, value)
    home.full_clean()
    home.save()
    audit_record(
        action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=home,
        patient=patient,
        changes=diff(before, snapshot(home)),
    )
    return home


@transaction.atomic
def field_shift_add(
    *,
    organization: Organization,
    user: User | None,
    location: Location,
    staff: StaffMember,
    date: dt.date,
    starts: dt.time,
    ends: dt.time,
    kind: str,
) -> FieldShift:
    """Put a nurse or a driver on the road for a day at a home-infusion location."""
    _home_location(organization, location)
    _same_org(organization, staff)
    if FieldShift.objects.filter(staff=staff, date=date).exists():
        raise ValidationError(f"{staff} already has a shift on {date:%m/%d/%Y}.")
    shift = FieldShift(
        organization=organization,
        location=location,
        staff=staff,
        date=date,
        starts=starts,
        ends=ends,
        kind=kind,
    )
    shift.full_clean()
    shift.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=shift,
        changes=diff({}, snapshot(shift)),
    )
    return shift


@dataclass(frozen=True)
class ItemIn:
    """One line of a delivery: supplies by description, or a drug by its lot."""

    quantity: Decimal
    description: str = ""
    lot: Lot | None = None
    unit: str = "each"


def _check_item(organization: Organization, patient: Patient, day: dt.date, item: ItemIn) -> str:
    """The line's description; refuses another organization's, expired or short lots."""
    if item.quantity <= 0:
        raise ValidationError("Each item needs a quantity above 0.")
    if item.lot is None:
        if not item.description.strip():
            raise ValidationError("Each item needs a description or a lot.")
        return item.description.strip()
    lot = item.lot
    _same_org(organization, lot)
    if lot.is_expired_on(day):
        raise ValidationError(f"{lot} expires {lot.expires_on:%m/%d/%Y}, before the delivery.")
    if lot.patient_id is not None and lot.patient_id != patient.pk:
        raise ValidationError(f"{lot} is another patient's own stock.")
    if item.unit == "vial" and item.quantity > lot.on_hand:
        raise ValidationError(f"{lot} has {lot.on_hand} vials on hand, fewer than asked.")
    return item.description.strip() or str(lot)


def _check_patient_home(organization: Organization, patient: Patient, location: Location) -> None:
    _same_org(organization, patient)
    _home_location(organization, location)
    if not PatientHome.objects.filter(patient=patient).exists():
        raise ValidationError(
            f"{patient.full_name} has no home address with coordinates yet: add it first."
        )


@transaction.atomic
def delivery_create(
    *,
    organization: Organization,
    user: User | None,
    patient: Patient,
    location: Location,
    date: dt.date,
    window_start: dt.time,
    window_end: dt.time,
    items: list[ItemIn],
    handoff: str = DeliveryTicket.Handoff.COURIER,
    service_minutes: int = 10,
    cold_chain: bool = False,
    packed_out_at: dt.datetime | None = None,
    validity_hours: int | None = None,
    note: str = "",
) -> DeliveryTicket:
    """A delivery ticket: what goes to the patient's home and in which window."""
    _check_patient_home(organization, patient, location)
    if not items:
        raise ValidationError("A delivery ticket lists at least one item.")
    descriptions = [_check_item(organization, patient, date, item) for item in items]
    ticket = DeliveryTicket(
        organization=organization,
        location=location,
        patient=patient,
        date=date,
        window_start=window_start,
        window_end=window_end,
        handoff=handoff,
        service_minutes=service_minutes,
        cold_chain=cold_chain,
        packed_out_at=packed_out_at if cold_chain else None,
        validity_hours=validity_hours if cold_chain else None,
        note=note,
        booked_by=acting_user(user),
    )
    ticket.full_clean()
    ticket.save()
    for item, description in zip(items, descriptions, strict=True):
        line = DeliveryItem(
            ticket=ticket,
            description=description,
            lot=item.lot,
            quantity=item.quantity,
            unit=item.unit or "each",
        )
        line.full_clean()
        line.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=ticket,
        patient=patient,
        changes={**diff({}, snapshot(ticket)), "items": [None, descriptions]},
    )
    return ticket


@transaction.atomic
def visit_create(
    *,
    organization: Organization,
    user: User | None,
    patient: Patient,
    location: Location,
    date: dt.date,
    window_start: dt.time,
    window_end: dt.time,
    duration_minutes: int = 60,
    purpose: str = "",
    nurse: StaffMember | None = None,
    setting: str = HomeVisit.Setting.HOME,
) -> HomeVisit:
    """A home nursing visit to be placed on a nurse's route, or a visit at the pharmacy's
    own infusion suite (``setting="suite"``: not routed, billed by the payer's suite terms)."""
    _check_patient_home(organization, patient, location)
    _same_org(organization, nurse)
    if setting == HomeVisit.Setting.SUITE and nurse is None:
        raise ValidationError({"nurse": "A suite visit is not routed: choose its nurse."})
    visit = HomeVisit(
        organization=organization,
        location=location,
        patient=patient,
        date=date,
        window_start=window_start,
        window_end=window_end,
        duration_minutes=duration_minutes,
        purpose=purpose,
        nurse=nurse,
        setting=setting,
        booked_by=acting_user(user),
    )
    visit.full_clean()
    visit.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=visit,
        patient=patient,
        changes=diff({}, snapshot(visit)),
    )
    return visit


def _check_drawing(drawing: str) -> None:
    if not drawing.startswith(PNG_DATA_URL):
        raise ValidationError("The drawn signature did not arrive as an image; draw it again.")
    try:
        data = base64.b64decode(drawing[len(PNG_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("The drawn signature is damaged; draw it again.") from None
    if not data.startswith(PNG_MAGIC):
        raise ValidationError("The drawn signature is not a PNG image; draw it again.")
    if len(data) > MAX_DRAWING_BYTES:
        raise ValidationError("The drawn signature is too large; clear it and sign again.")


@transaction.atomic
def delivery_record_proof(
    *,
    organization: Organization,
    user: User | None,
    ticket: DeliveryTicket,
    received_by: str,
    signature_kind: str,
    signature_text: str = "",
    signature_drawing: str = "",
    delivered_at: dt.datetime | None = None,
    delivery_note: str = "",
) -> DeliveryTicket:
    """Proof of delivery: who received it, their signature (typed or drawn), and when.

    A cold-chain box handed over after its pack-out's validity needs a note saying what
    was done (the pharmacist told, the item replaced): it may not be safe to use."""
    _same_org(organization, ticket)
    ticket = DeliveryTicket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != DeliveryTicket.Status.SCHEDULED:
        raise ValidationError(f"This delivery is {ticket.get_status_display().lower()} already.")
    now = timezone.now()
    delivered_at = delivered_at or now
    if delivered_at > now + dt.timedelta(minutes=5):
        raise ValidationError("The delivery time is in the future.")
    if not received_by.strip():
        raise ValidationError("Say who received the delivery.")
    if signature_kind == DeliveryTicket.Signature.TYPED:
        if not signature_text.strip():
            raise ValidationError("Type the receiver's name as their signature.")
        signature_drawing = ""
    elif signature_kind == DeliveryTicket.Signature.DRAWN:
        _check_drawing(signature_drawing)
        signature_text = ""
    else:
        raise ValidationError("Choose a typed or a drawn signature.")
    until = ticket.cold_chain_until
    if until is not None and delivered_at > until and not delivery_note.strip():
        raise ValidationError(
            f"The cold-chain pack-out was valid until {timezone.localtime(until):%m/%d %H:%M}: "
            "say in the note what was done (pharmacist told, item replaced)."
        )
    before = snapshot(ticket)
    ticket.received_by = received_by.strip()
    ticket.signature_kind = signature_kind
    ticket.signature_text = signature_text.strip()
    ticket.signature_drawing = signature_drawing
    ticket.delivered_at = delivered_at
    ticket.delivery_note = delivery_note.strip()
    ticket.recorded_by = user
    ticket.status = DeliveryTicket.Status.DELIVERED
    ticket.full_clean()
    ticket.save()
    after = snapshot(ticket)
    after["signature_drawing"] = "(drawn)" if signature_drawing else ""
    before["signature_drawing"] = ""
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=organization,
        obj=ticket,
        patient=ticket.patient,
        changes=diff(before, after),
    )
    home_service_documented(organization, ticket.patient, ticket.date, user)
    return ticket
