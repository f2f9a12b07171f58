"""Organization settings use cases: locations, hours, chairs, staff and memberships."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.audit.services import audit_record, diff, snapshot
from chairside.rules.place_of_service import default_place_of_service
from chairside.tenancy.models import (
    Chair,
    Competency,
    Location,
    Membership,
    OpeningHours,
    Organization,
    StaffMember,
)


def _audited_save(
    obj: Any, *, user: Any, organization: Organization, before: dict[str, Any]
) -> None:
    obj.full_clean()
    obj.save()
    changes = diff(before, snapshot(obj))
    if changes:
        audit_record(
            action="update" if before else "create",
            user=user,
            organization=organization,
            obj=obj,
            changes=changes,
        )


@transaction.atomic
def location_save(
    *,
    organization: Organization,
    user: Any,
    location: Location | None = None,
    hours: dict[int, tuple[dt.time, dt.time] | None] | None = None,
    **fields: Any,
) -> Location:
    """Create or change a site (and its weekly hours, all or nothing).

    The place-of-service code defaults from the site type.
    """
    before = snapshot(location) if location else {}
    location = location or Location(organization=organization)
    for name, value in fields.items():
        setattr(location, name, value)
    if not location.place_of_service:
        location.place_of_service = default_place_of_service(location.site_type)
    _audited_save(location, user=user, organization=organization, before=before)
    if hours is not None:
        location_set_hours(location=location, user=user, hours=hours)
    return location


@transaction.atomic
def location_set_hours(
    *, location: Location, user: Any, hours: dict[int, tuple[dt.time, dt.time] | None]
) -> None:
    """Replace a site's weekly hours; ``None`` for a weekday means closed that day."""
    for weekday, span in hours.items():
        if span is not None and span[1] <= span[0]:
            day = dict(OpeningHours.WEEKDAYS)[weekday]
            raise ValidationError(f"{day}: closing time must be after opening time.")
    before = {str(h.weekday): f"{h.opens:%H:%M}-{h.closes:%H:%M}" for h in location.hours.all()}
    location.hours.all().delete()
    for weekday, span in sorted(hours.items()):
        if span is not None:
            OpeningHours.objects.create(
                location=location, weekday=weekday, opens=span[0], closes=span[1]
            )
    after = {str(h.weekday): f"{h.opens:%H:%M}-{h.closes:%H:%M}" for h in location.hours.all()}
    if before != after:
        audit_record(
            action="update",
            user=user,
            organization=location.organization,
            obj=location,
            changes=diff(before, after),
        )


@transaction.atomic
def chair_save(
    *, location: Location, user: Any, chair: Chair | None = None, **fields: Any
) -> Chair:
    before = snapshot(chair) if chair else {}
    chair = chair or Chair(location=location)
    for name, value in fields.items():
        setattr(chair, name, value)
    clash = Chair.objects.filter(location=location, name__iexact=chair.name).exclude(pk=chair.pk)
    if clash.exists():
        raise ValidationError({"name": f"{location.name} already has a chair named {chair.name}."})
    _audited_save(chair, user=user, organization=location.organization, before=before)
    return chair


@transaction.atomic
def staff_save(
    *, organization: Organization, user: Any, staff: StaffMember | None = None, **fields: Any
) -> StaffMember:
    """Create or change a staff member; NPI and licence rules are in StaffMember.clean()."""
    before = snapshot(staff) if staff else {}
    staff = staff or StaffMember(organization=organization)
    for name, value in fields.items():
        setattr(staff, name, value)
    if staff.home_location and staff.home_location.organization_id != organization.pk:
        raise ValidationError({"home_location": "Choose one of your organization's locations."})
    _audited_save(staff, user=user, organization=organization, before=before)
    return staff


@transaction.atomic
def competency_save(
    *,
    staff: StaffMember,
    user: Any,
    skill: str,
    verified_on: dt.date | None,
    expires_on: dt.date | None,
) -> Competency:
    if verified_on and expires_on and expires_on < verified_on:
        raise ValidationError({"expires_on": "The expiry date is before the date it was verified."})
    competency, _ = Competency.objects.get_or_create(staff=staff, skill=skill)
    before = snapshot(competency)
    competency.verified_on = verified_on
    competency.expires_on = expires_on
    competency.full_clean()
    competency.save()
    audit_record(
        action="update",
        user=user,
        organization=staff.organization,
        obj=competency,
        changes=diff(before, snapshot(competency)),
    )
    return competency


@transaction.atomic
def membership_grant(
    *,
    organization: Organization,
    user: Any,
    username: str,
    role: str,
    email: str = "",
    password: str | None = None,
) -> Membership:
    """Give a person a role in the organization, creating their log-in if it is new."""
    users = get_user_model()
    username = username.strip().lower()
    exists = users.objects.filter(username=username).exists()
    if not exists:
        if not password:
            raise ValidationError({"password": "A new log-in needs a temporary password."})
        try:
            validate_password(password, users(username=username, email=email))
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
    account, created = users.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        account.set_password(password)
        account.save()
    membership, _ = Membership.objects.update_or_create(
        user=account, organization=organization, defaults={"role": role, "is_active": True}
    )
    membership.full_clean()
    audit_record(
        action="update",
        user=user,
        organization=organization,
        obj=membership,
        changes={"role": [None, role]},
    )
    return membership
