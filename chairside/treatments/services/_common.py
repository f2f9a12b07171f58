"""Helpers shared by the visit services: locking, the signed-visit guard, audit, times."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from chairside.access.referrals.models import TreatmentOrder
from chairside.audit.services import audit_record, diff, snapshot
from chairside.tenancy.models import Organization, StaffMember
from chairside.treatments.models import Visit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A time documented up to this far ahead of the clock is accepted (a slow tablet clock).
CLOCK_SLACK = dt.timedelta(minutes=5)


def locked_visit(visit: Visit) -> Visit:
    """The visit re-read under a row lock; refuses a signed visit (addenda only)."""
    current = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("patient", "order__drug", "location", "appointment", "organization")
        .get(pk=visit.pk)
    )
    if current.is_signed:
        raise ValidationError(
            "This visit is signed and locked; write an addendum to correct or add to it."
        )
    return current


def require_signed_order(visit: Visit) -> None:
    """Refuse to prepare or give a dose of an order awaiting a provider's signature (11.2).

    The order is re-read under its row lock, so a signature voided a moment ago counts.
    """

    order = TreatmentOrder.objects.select_for_update().get(pk=visit.order_id)
    problem = order.signature_problem()
    if problem:
        raise ValidationError(f"{problem}; the dose cannot be prepared or given until then.")


def audit(
    action: str,
    *,
    user: User | None,
    visit: Visit,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    audit_record(
        action=action,
        user=user,
        organization=visit.organization,
        obj=obj,
        patient=visit.patient,
        changes=changes or {},
        reason=reason,
    )


def audit_change(
    *, user: User, visit: Visit, obj: models.Model, before: dict[str, Any], fields: Any = None
) -> None:
    """Audit what changed on ``obj`` since ``before`` (create when ``before`` is empty)."""
    changes = diff(before, snapshot(obj, fields))
    if changes:
        audit("update" if before else "create", user=user, visit=visit, obj=obj, changes=changes)


def same_organization(visit: Visit, **rows: Any) -> None:
    for name, row in rows.items():
        if row is None:
            continue
        owner = getattr(row, "organization_id", None)
        if owner != visit.organization_id:
            raise ValidationError({name: "Choose one of your organization's own records."})


def not_in_future(moment: dt.datetime | None, field: str, what: str) -> None:
    if moment is not None and moment > timezone.now() + CLOCK_SLACK:
        raise ValidationError({field: f"The {what} cannot be in the future."})


class VisitDay(Protocol):
    """What the time rules need of a visit, at the chair or in a home: its day and place."""

    date: dt.date

    @property
    def location(self) -> Any: ...


def on_visit_day(visit: VisitDay, moment: dt.datetime | None, field: str, what: str) -> None:
    """Times are documented on the treatment day (at the location), never in the future."""
    if moment is None:
        return
    if timezone.is_naive(moment):
        raise ValidationError({field: f"The {what} must carry its time zone."})
    not_in_future(moment, field, what)
    if moment.astimezone(visit.location.tz).date() != visit.date:
        raise ValidationError(
            {field: f"The {what} must be on the visit day, {visit.date:%m/%d/%Y}."}
        )


def staff_for(user: User | None, organization: Organization) -> StaffMember | None:
    """The user's staff record in the organization (name and credential for the record)."""
    if user is None or user.pk is None:
        return None
    return StaffMember.objects.filter(user_id=user.pk, organization=organization).first()


def person_name(user: User, organization: Organization) -> str:
    staff = staff_for(user, organization)
    if staff is not None:
        return str(staff)
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", "") or "unknown"


def require_text(value: str, field: str, message: str) -> str:
    if not value or not value.strip():
        raise ValidationError({field: message})
    return value.strip()
