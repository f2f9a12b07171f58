"""Accreditation evidence use cases (keyword-only, one transaction each, audited)."""

from __future__ import annotations

from chairside.compliance.services.incidents import (
    incident_action_add,
    incident_action_done,
    incident_report,
)
from chairside.compliance.services.staff import (
    checkoff_record,
    licence_save,
    licence_verify,
    policy_acknowledge,
    policy_save,
)
from chairside.compliance.services.temperature import (
    device_save,
    excursion_follow_up,
    reading_record,
    temperature_csv_commit,
    temperature_csv_upload,
)

__all__ = [
    "checkoff_record",
    "device_save",
    "excursion_follow_up",
    "incident_action_add",
    "incident_action_done",
    "incident_report",
    "licence_save",
    "licence_verify",
    "policy_acknowledge",
    "policy_save",
    "reading_record",
    "temperature_csv_commit",
    "temperature_csv_upload",
]
