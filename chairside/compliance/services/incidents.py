"""Incidents (occurrence reports) and their follow-up actions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.services import audit_record
from chairside.compliance.models import Incident, IncidentAction
from chairside.core.actors import acting_user
from chairside.tenancy.models import Location, Organization, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def incident_report(
    *,
    organization: Organization,
    user: User | None,
    location: Location,
    kind: str,
    occurred_on: dt.date,
    description: str,
    severity: str,
    patient: Any = None,
) -> Incident:
    """Record an incident at a location (the patient is optional: a needlestick names none)."""
    if location.organization_id != organization.pk:
        raise ValidationError({"location": "Choose one of your organization's locations."})
    if patient is not None and patient.organization_id != organization.pk:
        raise ValidationError({"patient_mrn": "No patient of yours has that MRN."})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "An incident cannot have happened in the future."})
    if not (description or "").strip():
        raise ValidationError({"description": "Describe what happened."})
    incident = Incident(
        organization=organization,
        location=location,
        kind=kind,
        occurred_on=occurred_on,
        description=description.strip(),
        severity=severity,
        patient=patient,
        reported_by=acting_user(user),
    )
    incident.full_clean()
    incident.save()
    audit_record(
        action="create",
        user=user,
        organization=organization,
        obj=incident,
        patient=patient,
        changes={
            "kind": [None, incident.get_kind_display()],
            "severity": [None, incident.get_severity_display()],
            "occurred_on": [None, occurred_on.isoformat()],
        },
    )
    return incident


@transaction.atomic
def incident_action_add(
    *, incident: Incident, user: User | None, action: str, owner: StaffMember, due_on: dt.date
) -> IncidentAction:
    """A follow-up action with its owner and due date."""
    if owner.organization_id != incident.organization_id:
        raise ValidationError({"owner": "Choose a staff member of your organization."})
    if not (action or "").strip():
        raise ValidationError({"action": "Say what is to be done."})
    if due_on < incident.occurred_on:
        raise ValidationError({"due_on": "The due date is before the incident."})
    item = IncidentAction.objects.create(
        incident=incident, action=action.strip()[:300], owner=owner, due_on=due_on
    )
    audit_record(
        action="update",
        user=user,
        organization=incident.organization,
        obj=incident,
        patient=incident.patient,
        changes={"follow_up": [None, f"{item.action} ({owner}, due {due_on.isoformat()})"]},
    )
    return item


@transaction.atomic
def incident_action_done(
    *, item: IncidentAction, user: User | None, done_on: dt.date | None = None
) -> IncidentAction:
    """Mark a follow-up action done."""
    current = IncidentAction.objects.select_for_update().get(pk=item.pk)
    if current.done_on is not None:
        raise ValidationError({"done_on": "This action is marked done already."})
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "It cannot be done in the future."})
    current.done_on, current.done_by = done_on, acting_user(user)
    current.save(update_fields=["done_on", "done_by", "updated_at"])
    audit_record(
        action="update",
        user=user,
        organization=current.incident.organization,
        obj=current.incident,
        patient=current.incident.patient,
        changes={"follow_up_done": [None, f"{current.action} on {done_on.isoformat()}"]},
    )
    return current
