from __future__ import annotations

from typing import TYPE_CHECKING

from chairside.tenancy.models import Organization, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def person_name(user: User | None, organization: Organization) -> str:
    """The name a ``*_by_name`` column keeps: the staff record's, else the log-in's."""
    if user is None:
        return "system"
    staff = StaffMember.objects.filter(user_id=user.pk, organization=organization).first()
    if staff is not None:
        return str(staff)
    return str(user.get_full_name() or user.get_username())
