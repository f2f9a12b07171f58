"""Give a work-queue item (referral, order, benefits check, authorization) to a staff member."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.tenancy.models import StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def work_item_assign(*, item: Any, staff: StaffMember | None, user: User) -> Any:
    """Assign ``item`` to ``staff`` (None: unassign). Audited; staff of the same organization."""
    if staff is not None and (staff.organization_id != item.organization_id or not staff.is_active):
        raise ValidationError({"assigned_to": "Choose an active member of your staff."})
    locked = type(item).objects.select_for_update().get(pk=item.pk)
    old = locked.assigned_to
    if old == staff:
        return locked
    locked.assigned_to = staff
    locked.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=locked.organization,
        obj=locked,
        patient=getattr(locked, "patient", None),
        changes={"assigned_to": [str(old) if old else None, str(staff) if staff else None]},
    )
    return locked
