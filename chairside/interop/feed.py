"""The SIU feed: an HL7 scheduling message queued for every appointment event.

Registered in ``InteropConfig.ready()`` on ``scheduling.events`` (scheduling imports nothing
of the interfaces). Handlers run inside the booking's transaction, so a booking that is
rolled back queues nothing. Only organizations that turned the feed on get messages
(Admin › Interfaces), so bulk seeding and centres without an EHR feed pay one query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from chairside.interop.models import InterfaceMessage, InterfaceSettings
from chairside.rules.interop.hl7_siu import SiuAppointment, SiuPerson, build_siu, trigger_for
from chairside.scheduling.events import on_appointment_placed, on_appointment_status

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _person(row: Any) -> SiuPerson | None:
    if row is None:
        return None
    return SiuPerson(
        last_name=row.last_name, first_name=row.first_name, npi=getattr(row, "npi", "") or ""
    )


def siu_data(appointment: Any) -> SiuAppointment:
    """The plain data the SIU builder needs from an appointment and its order."""
    order, patient = appointment.order, appointment.patient
    return SiuAppointment(
        appointment_id=str(appointment.public_id),
        order_id=str(order.public_id),
        start=appointment.start,
        end=appointment.end,
        status=appointment.status,
        patient_mrn=patient.mrn,
        patient_last_name=patient.last_name,
        patient_first_name=patient.first_name,
        patient_middle_name=patient.middle_name,
        patient_birth_date=patient.date_of_birth,
        patient_sex=patient.sex,
        drug_code=order.drug.hcpcs,
        drug_name=order.drug.generic_name,
        location_name=appointment.location.name,
        chair_name=appointment.chair.name,
        ordering_provider=_person(order.ordering_provider),
        nurse=_person(appointment.nurse),
        reason=appointment.reason,
        dose_number=appointment.dose_number,
    )


def queue_siu(appointment: Any, trigger: str) -> InterfaceMessage | None:
    """Queue the SIU message for ``appointment`` if its organization sends the feed."""
    config = InterfaceSettings.objects.filter(
        organization_id=appointment.organization_id, siu_feed_enabled=True
    ).first()
    if config is None:
        return None
    message = InterfaceMessage(
        organization_id=appointment.organization_id,
        direction=InterfaceMessage.Direction.OUTBOUND,
        message_type=f"SIU^{trigger}",
        status=InterfaceMessage.Status.QUEUED,
        patient_id=appointment.patient_id,
        appointment=appointment,
        sending_application="CHAIRSIDE",
        sending_facility=config.facility_name[:60],
    )
    message.control_id = f"CS{message.public_id.hex[:18].upper()}"
    message.raw = build_siu(
        siu_data(appointment),
        trigger=trigger,
        control_id=message.control_id,
        at=timezone.now(),
        sending_facility=config.facility_name,
        receiving_application=config.receiving_application,
        receiving_facility=config.receiving_facility,
    )
    message.save()
    return message


def on_placed(appointment: Any, user: User, new: bool) -> None:
    queue_siu(appointment, trigger_for(status=appointment.status, new=new, placed=True))


def on_status(appointment: Any, user: User, target: str, why: str) -> None:
    queue_siu(appointment, trigger_for(status=target, new=False, placed=False))


def register() -> None:
    on_appointment_placed(on_placed)
    on_appointment_status(on_status)
