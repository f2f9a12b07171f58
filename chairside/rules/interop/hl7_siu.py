"""SIU scheduling messages out to the practice's EHR: S12 new, S13 rescheduled, S14 changed,
S15 cancelled, S26 no-show.

Source: HL7 Version 2.5.1, chapter 10 (Scheduling): SIU^S12 (10.3.1 "Notification of new
appointment booking"), S13 (10.3.2 rescheduling), S14 (10.3.3 modification), S15 (10.3.4
cancellation), S26 (10.3.12 patient did not show up); message structure SIU_S12:
MSH, SCH, TQ1, PID, RGS, AIS, AIL, AIP. Fields used:

- SCH-1 placer appointment id (the order, EI), SCH-2 filler appointment id (Chairside's
  appointment id, EI; Chairside is the filler), SCH-6 event reason (why it was cancelled
  or moved), SCH-7 appointment reason (CWE), SCH-8
  appointment type, SCH-9/10 duration and units (minutes), SCH-16 filler contact, SCH-25
  filler status code (table 0278: Booked, Complete, Cancelled, Noshow, Started …).
- TQ1-7/8 start and end date/time (DTM with offset).
- RGS-2 segment action code (table 0206: A add, U update, D delete).
- AIS-3 universal service identifier (the drug's HCPCS code and name), AIS-4 start,
  AIS-7/8 duration and units.
- AIL-3 location resource (PL: point of care^room^bed^facility → location^^chair^site).
- AIP-3 personnel resource (XCN: NPI^family^given), AIP-4 role; the ordering provider (OP)
  and the nurse when one is assigned (the nurse has no NPI in the message when none is known).

This module builds text only; which message goes out when is decided by the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chairside.rules.interop.hl7_text import component, escape, message, msh, segment, timestamp

# Chairside appointment status → HL7 table 0278 filler status code.
FILLER_STATUS = {
    "booked": "Booked",
    "confirmed": "Booked",
    "checked_in": "Started",
    "in_chair": "Started",
    "completed": "Complete",
    "cancelled": "Cancelled",
    "rescheduled": "Cancelled",  # superseded by the new booking, which goes out as S12
    "no_show": "Noshow",
}
TRIGGERS = {
    "S12": "Notification of new appointment booking",
    "S13": "Notification of appointment rescheduling",
    "S14": "Notification of appointment modification",
    "S15": "Notification of appointment cancellation",
    "S26": "Notification that patient did not show up for scheduled appointment",
}


@dataclass(frozen=True)
class SiuPerson:
    last_name: str
    first_name: str
    npi: str = ""


@dataclass(frozen=True)
class SiuAppointment:
    appointment_id: str
    order_id: str
    start: dt.datetime
    end: dt.datetime
    status: str
    patient_mrn: str
    patient_last_name: str
    patient_first_name: str
    patient_middle_name: str
    patient_birth_date: dt.date
    patient_sex: str
    drug_code: str
    drug_name: str
    location_name: str
    chair_name: str
    ordering_provider: SiuPerson | None = None
    nurse: SiuPerson | None = None
    reason: str = ""
    dose_number: int = 1


def trigger_for(*, status: str, new: bool, placed: bool) -> str:
    """The SIU event for an appointment placed (new or moved) or whose status changed."""
    if placed:
        return "S12" if new else "S13"
    if status in {"cancelled", "rescheduled"}:
        return "S15"
    if status == "no_show":
        return "S26"
    return "S14"


def _person(person: SiuPerson) -> str:
    return component(person.npi, person.last_name, person.first_name)


def build_siu(
    appointment: SiuAppointment,
    *,
    trigger: str,
    control_id: str,
    at: dt.datetime,
    sending_facility: str,
    receiving_application: str = "",
    receiving_facility: str = "",
) -> str:
    """The SIU message (segments separated by CR) for one appointment event."""
    if trigger not in TRIGGERS:
        raise ValueError(f"{trigger} is not an SIU event Chairside sends ({', '.join(TRIGGERS)}).")
    if appointment.end <= appointment.start:
        raise ValueError("The appointment ends before it starts.")
    minutes = int((appointment.end - appointment.start).total_seconds() // 60)
    status = FILLER_STATUS.get(appointment.status, "Booked")
    action = {"S12": "A", "S15": "D"}.get(trigger, "U")
    start, end = timestamp(appointment.start), timestamp(appointment.end)
    service = component(appointment.drug_code, appointment.drug_name, "HCPCS")
    segments = [
        msh(
            sending_application="CHAIRSIDE",
            sending_facility=sending_facility,
            receiving_application=receiving_application,
            receiving_facility=receiving_facility,
            at=at,
            message_type=f"SIU^{trigger}^SIU_S12",
            control_id=control_id,
        ),
        segment(
            "SCH",
            [
                component(appointment.order_id, "CHAIRSIDE"),
                component(appointment.appointment_id, "CHAIRSIDE"),
                "",
                "",
                "",
                escape(appointment.reason[:200]),
                component("INFUSION", f"Infusion, dose {appointment.dose_number}"),
                "INFUSION",
                str(minutes),
                "min",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                escape(status),
            ],
        ),
        segment("TQ1", ["1", "", "", "", "", component(minutes, "min"), start, end]),
        segment(
            "PID",
            [
                "1",
                "",
                component(appointment.patient_mrn, "", "", "", "MR"),
                "",
                component(
                    appointment.patient_last_name,
                    appointment.patient_first_name,
                    appointment.patient_middle_name,
                ),
                "",
                appointment.patient_birth_date.strftime("%Y%m%d"),
                escape(appointment.patient_sex),
            ],
        ),
        segment("RGS", ["1", action]),
        segment("AIS", ["1", action, service, start, "", "", str(minutes), "min"]),
        segment(
            "AIL",
            [
                "1",
                action,
                component(appointment.location_name, "", appointment.chair_name),
                "",
                "",
                start,
            ],
        ),
    ]
    people = [(appointment.ordering_provider, "OP"), (appointment.nurse, "NURSE")]
    for number, (person, role) in enumerate([p for p in people if p[0] is not None], start=1):
        assert person is not None
        segments.append(segment("AIP", [str(number), action, _person(person), role, "", start]))
    return message(segments)
