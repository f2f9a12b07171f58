"""Prior authorization workflow: open, submit, request for information, approve, deny, appeal."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.authorizations.models import (
    AuthorizationDocument,
    AuthorizationStatusChange,
    PriorAuthorization,
)
from chairside.access.authorizations.services.booking import authorization_attach_overridden
from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.services import referral_advance, store_document
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, audited_update, diff, snapshot
from chairside.core.actors import acting_user
from chairside.patients.models import Coverage
from chairside.rules.access import authorization_states as states
from chairside.rules.access import referral_states
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DETAIL_FIELDS = (
    "authorization_number",
    "hcpcs",
    "units_authorized",
    "visits_authorized",
    "start_on",
    "end_on",
    "submitted_on",
    "decided_on",
    "denial_reason",
    "appeal_deadline",
    "notes",
    "assigned_to",
)


def _audit(
    action: str, auth: PriorAuthorization, user: User | None, changes: Any, reason: str = ""
) -> None:
    audit_record(
        action=action,
        user=user,
        organization=auth.organization,
        obj=auth,
        patient=auth.patient,
        changes=changes,
        reason=reason,
    )


@transaction.atomic
def authorization_open(
    *,
    order: TreatmentOrder,
    coverage: Coverage,
    user: User,
    status: str = states.TO_SUBMIT,
    notes: str = "",
    on_date: dt.date | None = None,
) -> PriorAuthorization:
    """Open an authorization for an order with one of the patient's coverages (or a renewal)."""
    if coverage.patient_id != order.patient_id:
        raise ValidationError({"coverage": "Choose one of this patient's coverages."})
    if status not in (states.TO_SUBMIT, states.NOT_REQUIRED):
        raise ValidationError("A new authorization starts as 'to submit' or 'not required'.")
    auth = PriorAuthorization(
        organization=order.organization,
        patient=order.patient,
        order=order,
        coverage=coverage,
        status=status,
        hcpcs=order.drug.hcpcs,
        notes=notes,
        assigned_to=order.assigned_to,
        status_changed_on=on_date or timezone.localdate(),
    )
    auth.full_clean()
    auth.save()
    _audit(AuditEvent.Action.CREATE, auth, user, {"status": [None, status]})
    return auth


def _check_overlap(auth: PriorAuthorization) -> None:
    """Two approvals of one order may not cover the same day: usage would be ambiguous."""
    assert auth.start_on is not None and auth.end_on is not None
    others = PriorAuthorization.objects.filter(
        order=auth.order,
        status=states.APPROVED,
        start_on__lte=auth.end_on,
        end_on__gte=auth.start_on,
    ).exclude(pk=auth.pk)
    clash = others.first()
    if clash is not None:
        raise ValidationError(
            {
                "start_on": f"These dates overlap authorization {clash.authorization_number} "
                f"({clash.start_on:%m/%d/%Y}–{clash.end_on:%m/%d/%Y}) for the same order."
            }
        )


def _check_details(auth: PriorAuthorization) -> None:
    for field in ("units_authorized", "visits_authorized"):
        value = getattr(auth, field)
        if value is not None and value < 1:
            raise ValidationError({field: f"Authorized {field.split('_')[0]} must be at least 1."})
    if auth.start_on and auth.end_on and auth.end_on < auth.start_on:
        raise ValidationError({"end_on": "The end date is before the start date."})
    if auth.status == states.APPROVED:
        if not auth.authorization_number.strip():
            raise ValidationError(
                {"authorization_number": "Enter the payer's authorization number."}
            )
        try:
            states.check_authorized_range(
                auth.start_on, auth.end_on, auth.units_authorized, auth.visits_authorized
            )
        except ValueError as exc:
            raise ValidationError({"start_on": str(exc)}) from None
        _check_overlap(auth)
    if auth.status == states.DENIED and not auth.appeal_deadline:
        raise ValidationError(
            {"appeal_deadline": "Enter the appeal deadline from the denial letter."}
        )
    denied = auth.status == states.DENIED
    if (
        denied
        and auth.appeal_deadline
        and auth.decided_on
        and auth.appeal_deadline < auth.decided_on
    ):
        raise ValidationError(
            {"appeal_deadline": "The appeal deadline cannot be before the denial date."}
        )
    if auth.assigned_to and auth.assigned_to.organization_id != auth.organization_id:
        raise ValidationError({"assigned_to": "Choose one of your organization's staff."})
    auth.full_clean()


@transaction.atomic
def authorization_transition(
    *,
    authorization: PriorAuthorization,
    user: User | None,
    to_status: str,
    on_date: dt.date | None = None,
    reason: str = "",
    **details: Any,
) -> PriorAuthorization:
    """Move an authorization to a new status, with the details that status needs.

    Submitted: the submission date (``on_date``). Approved: the authorization number, start
    and end dates, and the units/visits the payer gave. Denied: the reason and the appeal
    deadline. Approvals of one order may not overlap. Every move is audited; an approval
    (or "not required") moves the referral to "authorized".
    """
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    auth = PriorAuthorization.objects.select_for_update().get(pk=authorization.pk)
    try:
        states.AUTHORIZATION.check(auth.status, to_status, reason)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    on = on_date or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on_date": "The date cannot be in the future."})
    before = snapshot(auth, (*DETAIL_FIELDS, "status"))
    for name, value in details.items():
        setattr(auth, name, value)
    old, auth.status, auth.status_changed_on = auth.status, to_status, on
    if to_status in (states.SUBMITTED, states.APPEAL_SUBMITTED):
        auth.submitted_on = on
    if to_status in (states.APPROVED, states.DENIED):
        # This decision's date (an appeal or a resubmission is decided anew), unless given.
        auth.decided_on = details.get("decided_on") or on
    if to_status == states.DENIED:
        auth.denial_reason = reason.strip()
    _check_details(auth)
    auth.save()
    AuthorizationStatusChange.objects.create(
        authorization=auth,
        from_status=old,
        to_status=to_status,
        changed_on=on,
        changed_by=acting_user(user),
        reason=reason.strip(),
    )
    _audit(
        AuditEvent.Action.STATE,
        auth,
        user,
        diff(before, snapshot(auth, (*DETAIL_FIELDS, "status"))),
        reason.strip(),
    )
    if to_status == states.APPROVED:
        authorization_attach_overridden(authorization=auth, user=user)
    if to_status in (states.APPROVED, states.NOT_REQUIRED):
        referral_advance(
            referral=auth.order.referral, user=user, to_state=referral_states.AUTHORIZED, on_date=on
        )
    return auth


@transaction.atomic
def authorization_update(
    *, authorization: PriorAuthorization, user: User, **details: Any
) -> PriorAuthorization:
    """Correct an authorization's details (number, dates, units) without changing status."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    auth = PriorAuthorization.objects.select_for_update().get(pk=authorization.pk)

    def save(corrected: PriorAuthorization) -> None:
        _check_details(corrected)
        corrected.save()

    changes = audited_update(
        instance=auth,
        user=user,
        data=details,
        fields=DETAIL_FIELDS,
        save=save,
        patient=auth.patient,
    )
    if auth.status == states.APPROVED and changes:
        # Corrected dates or more visits/units may now cover overridden bookings.

        authorization_attach_overridden(authorization=auth, user=user)
    return auth


@transaction.atomic
def authorization_renew(*, authorization: PriorAuthorization, user: User) -> PriorAuthorization:
    """Open the next authorization for the same order and coverage (to submit)."""
    return authorization_open(
        order=authorization.order,
        coverage=authorization.coverage,
        user=user,
        notes=f"Renewal of {authorization.authorization_number or 'the previous authorization'}.",
    )


@transaction.atomic
def authorizations_expire(
    *, organization: Organization, today: dt.date, user: User | None = None
) -> int:
    """Mark approvals whose end date has passed as expired; returns how many."""
    ended = PriorAuthorization.objects.filter(
        organization=organization, status=states.APPROVED, end_on__lt=today
    )
    count = 0
    for auth in ended:
        authorization_transition(
            authorization=auth, user=user, to_status=states.EXPIRED, on_date=today
        )
        count += 1
    return count


@transaction.atomic
def authorization_document_add(
    *, authorization: PriorAuthorization, user: User, upload: Any, kind: str, title: str = ""
) -> AuthorizationDocument:
    """Attach the payer's letter, the submitted form or clinicals to an authorization."""

    document = AuthorizationDocument(
        authorization=authorization,
        kind=kind,
        uploaded_by=acting_user(user),
    )
    store_document(document, upload, title=title)
    _audit(
        AuditEvent.Action.CREATE,
        authorization,
        user,
        {"document": [None, document.title], "kind": [None, kind]},
    )
    return document
