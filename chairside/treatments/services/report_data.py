"""What the treatment report says, as plain JSON-safe data (kept with the report)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chairside.access.referrals.models import ReferringProvider
from chairside.rules.clinical.infusion import running_minutes
from chairside.rules.scheduling import appointment_states
from chairside.treatments.models import Visit


def report_recipient(visit: Visit) -> ReferringProvider:
    """The referring physician: who sent the referral, else who signed the order."""
    referral = visit.order.referral
    if referral is not None and referral.referring_provider_id:
        return referral.referring_provider
    return visit.order.ordering_provider


def _t(visit: Visit, moment: dt.datetime | None) -> str:
    return moment.astimezone(visit.location.tz).strftime("%H:%M") if moment else ""


def _mg(value: Decimal | None) -> str:
    return f"{Decimal(value).normalize():f}" if value is not None else ""


def _patient(visit: Visit) -> dict[str, Any]:
    p = visit.patient
    return {
        "name": p.full_name,
        "date_of_birth": p.date_of_birth.strftime("%m/%d/%Y"),
        "mrn": p.mrn,
        "allergies": [a.substance for a in p.allergies.all()]
        or (["NKDA"] if p.no_known_allergies else []),
    }


def _order(visit: Visit) -> dict[str, Any]:
    o = visit.order
    rule = o.dose_rule(visit.dose_number)
    return {
        "drug": str(o.drug),
        "hcpcs": o.drug.hcpcs,
        "regimen": o.regimen_name,
        "dose_rule": f"{_mg(rule.mg_per_kg)} mg/kg" if rule.mg_per_kg else f"{_mg(rule.mg)} mg",
        "dose_number": visit.dose_number,
        "ordering_provider": str(o.ordering_provider),
        "weight_at_order_kg": _mg(o.weight_kg_at_order),
        "diagnoses": [f"{d.icd10_code} {d.description}" for d in o.diagnoses.all()],
    }


def _lots(visit: Visit) -> list[dict[str, Any]]:
    prep = getattr(visit, "preparation", None)
    if prep is None:
        return []
    return [
        {
            "ndc": v.lot.package.ndc,
            "lot": v.lot.lot_number,
            "expires": v.lot.expires_on.strftime("%m/%d/%Y"),
            "vials": v.vials,
            "strength_mg": _mg(v.lot.package.strength_mg),
            "patient_supplied": v.lot.patient_id is not None,
        }
        for v in prep.vials.select_related("lot__package")
    ]


def _preparation(visit: Visit) -> dict[str, Any]:
    prep = getattr(visit, "preparation", None)
    if prep is None:
        return {}
    return {
        "dose_mg": _mg(prep.dose_mg),
        "opened_mg": _mg(prep.opened_mg),
        "diluent": prep.diluent,
        "final_volume_ml": _mg(prep.final_volume_ml),
        "concentration_mg_ml": _mg(prep.concentration_mg_ml),
        "prepared_at": _t(visit, prep.prepared_at),
        "beyond_use_at": _t(visit, prep.beyond_use_at),
        "prepared_by": str(prep.prepared_by or ""),
        "checked_by": str(prep.checked_by or ""),
    }


def _administrations(visit: Visit) -> list[dict[str, Any]]:
    rows = []
    for a in visit.administrations.prefetch_related("rates", "interruptions"):
        pauses = [(p.started_at, p.ended_at) for p in a.interruptions.all() if p.ended_at]
        minutes = running_minutes(a.started_at, a.stopped_at, pauses) if a.stopped_at else None
        rows.append(
            {
                "substance": a.substance,
                "method": a.get_method_display(),
                "site": a.site,
                "start": _t(visit, a.started_at),
                "stop": _t(visit, a.stopped_at),
                "minutes": minutes,
                "stop_reason": a.get_stop_reason_display() if a.stop_reason else "",
                "dose_given_mg": _mg(a.dose_given_mg),
                "rates": [
                    f"{_t(visit, r.at)} {r.rate_ml_h.normalize():f} mL/h" for r in a.rates.all()
                ],
                "interruptions": [
                    f"{_t(visit, p.started_at)}–{_t(visit, p.ended_at)} {p.reason}"
                    for p in a.interruptions.all()
                ],
            }
        )
    return rows


def _vitals(visit: Visit) -> list[dict[str, Any]]:
    return [
        {
            "phase": v.get_phase_display(),
            "time": _t(visit, v.taken_at),
            "bp": v.blood_pressure,
            "pulse": v.pulse,
            "temperature": f"{v.temperature_c} °C / {v.temperature_f} °F"
            if v.temperature_c is not None
            else "",
            "spo2": v.spo2,
            "respiratory_rate": v.respiratory_rate,
            "flags": [f["message"] for f in v.flags],
        }
        for v in visit.vitals.all()
    ]


def _reactions(visit: Visit) -> list[dict[str, Any]]:
    return [
        {
            "onset": _t(visit, r.onset_at),
            "grade": r.grade,
            "signs": r.sign_labels,
            "actions": r.action_labels,
            "provider_notified": str(r.provider_notified or ""),
            "outcome": r.get_outcome_display() if r.outcome else "",
            "notes": r.notes,
        }
        for r in visit.reactions.select_related("provider_notified")
    ]


def _labs(visit: Visit) -> list[dict[str, Any]]:
    """The latest result of each lab the order requires (and of any recorded lab)."""
    wanted = {lab.name.strip().lower() for lab in visit.order.required_labs.all()}
    seen: set[str] = set()
    rows = []
    for result in visit.patient.lab_results.filter(result_on__lte=visit.date).order_by(
        "-result_on", "-id"
    ):
        key = result.lab_name.strip().lower()
        if key in seen or (wanted and key not in wanted):
            continue
        seen.add(key)
        rows.append(
            {
                "name": result.lab_name,
                "date": result.result_on.strftime("%m/%d/%Y"),
                "value": result.value,
                "interpretation": result.get_interpretation_display(),
            }
        )
    return rows


def _next_appointment(visit: Visit) -> str:
    after = (
        visit.patient.appointments.filter(
            start__gt=visit.appointment.end, status__in=appointment_states.OCCUPYING
        )
        .exclude(pk=visit.appointment_id)
        .select_related("location")
        .order_by("start")
        .first()
    )
    if after is None:
        return ""
    return f"{after.local_start():%m/%d/%Y %H:%M} at {after.location.name}"


def report_data(visit: Visit) -> dict[str, Any]:
    """Everything the report to the referring physician shows, JSON-safe."""
    primary = next((a for a in _administrations(visit) if a["dose_given_mg"]), None)
    return {
        "organization": visit.organization.name,
        "recipient": str(report_recipient(visit)),
        "location": visit.location.name,
        "location_phone": visit.location.phone,
        "date": visit.date.strftime("%m/%d/%Y"),
        "patient": _patient(visit),
        "order": _order(visit),
        "weight_kg": _mg(visit.weight_kg),
        "weight_confirmed_by": visit.weight_confirmed_by,
        "dose_held": visit.dose_held,
        "held_reason": visit.held_reason,
        "dose_given_mg": primary["dose_given_mg"] if primary else "",
        "preparation": _preparation(visit),
        "lots": _lots(visit),
        "administrations": _administrations(visit),
        "vitals": _vitals(visit),
        "reactions": _reactions(visit),
        "labs": _labs(visit),
        "premedications": visit.premeds_given or visit.premeds_not_given_reason,
        "discharge": {
            "time": _t(visit, visit.discharged_at),
            "condition": visit.get_discharge_condition_display(),
        },
        "nurse": str(visit.nurse or ""),
        "supervising_provider": str(visit.supervising_provider or ""),
        "signed_by": visit.signed_by_name,
        "signed_at": visit.signed_at.astimezone(visit.location.tz).strftime("%m/%d/%Y %H:%M")
        if visit.signed_at
        else "",
        "next_appointment": _next_appointment(visit),
        "addenda": [
            {
                "at": timezone.localtime(a.created_at, visit.location.tz).strftime(
                    "%m/%d/%Y %H:%M"
                ),
                "by": a.author_name,
                "text": a.text,
            }
            for a in visit.addenda.all()
        ],
    }
