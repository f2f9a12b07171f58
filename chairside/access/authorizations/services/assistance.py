"""Patient-assistance programs: the catalog and each patient's enrolments.

What a program pays (and who may use it) is ``rules.access.assistance``; claims to a program for
the patient's share of an insurer's claim are billing's (``billing.services.assistance``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from chairside.access.authorizations.models import AssistanceEnrollment, AssistanceProgram
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, diff, snapshot
from chairside.core.actors import acting_user
from chairside.core.validation import Problems
from chairside.rules.access.assistance import remaining_balance
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PROGRAM_FIELDS = ("name", "kind", "sponsor", "drug", "phone", "claims_address", "is_active")
ENROLLMENT_FIELDS = (
    "program",
    "drug",
    "member_id",
    "card_details",
    "enrolled_on",
    "expires_on",
    "annual_cap",
    "notes",
)


@transaction.atomic
def assistance_program_create(
    *, organization: Organization, user: User, **fields: Any
) -> AssistanceProgram:
    """Add a program to the center's catalog (copay program, foundation fund, free drug)."""
    program = AssistanceProgram(organization=organization, **fields)
    problems = Problems()
    if program.drug is not None and program.drug.organization_id != organization.pk:
        problems.add(ValidationError({"drug": "Choose one of your formulary's drugs."}))
    if AssistanceProgram.objects.filter(organization=organization, name=program.name).exists():
        problems.add(ValidationError({"name": f"A program named {program.name} exists."}))
    problems.full_clean(program)
    problems.raise_if_any()
    program.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=program,
        changes=diff({}, snapshot(program, PROGRAM_FIELDS)),
    )
    return program


def _check_enrollment(enrollment: AssistanceEnrollment) -> None:
    org_id = enrollment.patient.organization_id
    problems = Problems()
    program = enrollment.program
    if program.organization_id != org_id:
        problems.add(ValidationError({"program": "Choose one of your organization's programs."}))
    elif program.drug_id and enrollment.drug_id != program.drug_id:
        problems.add(ValidationError({"drug": f"{program} covers {program.drug} only."}))
    if enrollment.drug.organization_id != org_id:
        problems.add(ValidationError({"drug": "Choose one of your formulary's drugs."}))
    starts, ends = enrollment.enrolled_on, enrollment.expires_on
    if starts and ends and ends < starts:
        problems.add(ValidationError({"expires_on": "The end date is before the start."}))
    problems.full_clean(enrollment)
    problems.raise_if_any()


@transaction.atomic
def assistance_enroll(*, patient: Any, user: User, **fields: Any) -> AssistanceEnrollment:
    """Record a patient's enrolment (card or grant number, dates, annual maximum)."""
    enrollment = AssistanceEnrollment(
        organization=patient.organization,
        patient=patient,
        enrolled_by=acting_user(user),
        **fields,
    )
    _check_enrollment(enrollment)
    enrollment.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=patient.organization,
        obj=enrollment,
        patient=patient,
        changes=diff({}, snapshot(enrollment, ENROLLMENT_FIELDS)),
    )
    return enrollment


@transaction.atomic
def assistance_enrollment_end(
    *, enrollment: AssistanceEnrollment, user: User, on: dt.date, reason: str
) -> AssistanceEnrollment:
    if not reason.strip():
        raise ValidationError({"end_reason": "Say why the enrolment ends."})
    if on < enrollment.enrolled_on:
        raise ValidationError({"ended_on": "The enrolment cannot end before it started."})
    enrollment.ended_on = on
    enrollment.end_reason = reason.strip()[:200]
    enrollment.save(update_fields=["ended_on", "end_reason", "updated_at"])
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=enrollment.organization,
        obj=enrollment,
        patient=enrollment.patient,
        changes={"ended_on": [None, on.isoformat()]},
        reason=reason,
    )
    return enrollment


def enrollment_used(enrollment: AssistanceEnrollment, year: int) -> Decimal:
    """What the program paid (or has been asked for and not denied) in a calendar year."""
    totals = enrollment.claims.filter(submitted_on__year=year).exclude(status="denied")
    paid = totals.filter(status="paid").aggregate(s=Sum("amount_paid"))["s"] or Decimal(0)
    pending = totals.filter(status="submitted").aggregate(s=Sum("amount_requested"))["s"]
    return Decimal(paid) + Decimal(pending or 0)


def enrollment_remaining(enrollment: AssistanceEnrollment, year: int) -> Decimal | None:
    return remaining_balance(enrollment.annual_cap, enrollment_used(enrollment, year))


def active_enrollments(*, patient: Any, drug: Any, on: dt.date) -> list[AssistanceEnrollment]:
    rows = AssistanceEnrollment.objects.filter(patient=patient, drug=drug).select_related("program")
    return [e for e in rows if e.is_active_on(on)]
