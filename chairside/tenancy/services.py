"""Organization settings use cases: locations, hours, chairs, staff and memberships."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.services import audit_record, audited_update, diff
from chairside.core.usernames import normalize_username
from chairside.rules.billing.place_of_service import default_place_of_service
from chairside.tenancy import events
from chairside.tenancy.models import (
    INVITATION_DAYS,
    Chair,
    Competency,
    Invitation,
    Location,
    Membership,
    OpeningHours,
    Organization,
    StaffMember,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def location_save(
    *,
    organization: Organization,
    user: User,
    location: Location | None = None,
    hours: dict[int, tuple[dt.time, dt.time] | None] | None = None,
    **fields: Any,
) -> Location:
    """Create or change a site (and its weekly hours, all or nothing).

    The place-of-service code defaults from the site type.
    """
    location = location or Location(organization=organization)

    def save(site: Location) -> None:
        if not site.place_of_service:
            site.place_of_service = default_place_of_service(site.site_type)
        site.full_clean()
        site.save()

    audited_update(instance=location, user=user, data=fields, save=save)
    if hours is not None:
        location_set_hours(location=location, user=user, hours=hours)
    return location


@transaction.atomic
def location_set_hours(
    *, location: Location, user: User, hours: dict[int, tuple[dt.time, dt.time] | None]
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
    *, location: Location, user: User, chair: Chair | None = None, **fields: Any
) -> Chair:
    chair = chair or Chair(location=location)

    def save(seat: Chair) -> None:
        clash = Chair.objects.filter(location=location, name__iexact=seat.name).exclude(pk=seat.pk)
        if clash.exists():
            raise ValidationError(
                {"name": f"{location.name} already has a chair named {seat.name}."}
            )
        seat.full_clean()
        seat.save()

    audited_update(
        instance=chair, user=user, data=fields, save=save, organization=location.organization
    )
    return chair


@transaction.atomic
def staff_save(
    *, organization: Organization, user: User, staff: StaffMember | None = None, **fields: Any
) -> StaffMember:
    """Create or change a staff member; NPI and licence rules are in StaffMember.clean()."""
    staff = staff or StaffMember(organization=organization)

    def save(member: StaffMember) -> None:
        if member.home_location and member.home_location.organization_id != organization.pk:
            raise ValidationError({"home_location": "Choose one of your organization's locations."})
        member.full_clean()
        member.save()

    audited_update(instance=staff, user=user, data=fields, save=save)
    return staff


@transaction.atomic
def competency_save(
    *,
    staff: StaffMember,
    user: User,
    skill: str,
    verified_on: dt.date | None,
    expires_on: dt.date | None,
) -> Competency:
    if verified_on and expires_on and expires_on < verified_on:
        raise ValidationError({"expires_on": "The expiry date is before the date it was verified."})
    competency, _ = Competency.objects.get_or_create(staff=staff, skill=skill)
    audited_update(
        instance=competency,
        user=user,
        data={"verified_on": verified_on, "expires_on": expires_on},
        organization=staff.organization,
        always=True,
    )
    return competency


@dataclass(frozen=True)
class GrantOutcome:
    """What a grant did: ``created`` a new log-in, ``changed`` a member's role, ``invited``
    a user name (the same answer whether or not that name has a log-in), or nothing because
    the name asked for a new log-in is in use (``name_taken``)."""

    kind: str
    username: str
    role: str


def _check_new_password(password: str, username: str, email: str) -> None:
    users = get_user_model()
    try:
        validate_password(password, users(username=username, email=email))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


@transaction.atomic
def membership_grant(
    *,
    organization: Organization,
    user: User,
    username: str,
    role: str,
    email: str = "",
    password: str | None = None,
) -> GrantOutcome:
    """Give a person a role here.

    - a member of this organization: their role changes;
    - with a temporary password: a brand-new log-in is created (it must change the password
      at first log-in); a user name already in use anywhere is refused, and the refusal is
      audited;
    - otherwise: an invitation for the user name, which the person accepts after logging in.
      Nothing about other organizations' log-ins is looked up or revealed.
    """
    users = get_user_model()
    username = normalize_username(username)
    if role not in {r for r, _ in Membership.ROLE_CHOICES}:
        raise ValidationError({"role": "Choose one of the roles."})
    member = (
        Membership.objects.select_for_update()
        .filter(organization=organization, user__username=username)
        .first()
    )
    if member is not None:
        before = {"role": member.role, "is_active": member.is_active}
        member.role, member.is_active = role, True
        member.full_clean()
        member.save(update_fields=["role", "is_active", "updated_at"])
        audit_record(
            action="update",
            user=user,
            organization=organization,
            obj=member,
            changes=diff(before, {"role": role, "is_active": True}),
        )
        return GrantOutcome("changed", username, role)
    if password:
        _check_new_password(password, username, email)
        if users.objects.filter(username=username).exists():
            audit_record(
                action="create",
                user=user,
                organization=organization,
                reason=f"new log-in refused: the user name {username} is already in use",
            )
            # Returned, not raised, so that the audit row above is kept.
            return GrantOutcome("name_taken", username, role)
        account = users.objects.create_user(username=username, email=email, password=password)
        events.login_created_with_temporary_password(account)
        membership = Membership.objects.create(user=account, organization=organization, role=role)
        audit_record(
            action="create",
            user=user,
            organization=organization,
            obj=membership,
            changes={"role": [None, role]},
            reason="new log-in with a temporary password",
        )
        return GrantOutcome("created", username, role)
    invitation_create(organization=organization, user=user, username=username, role=role)
    return GrantOutcome("invited", username, role)


@transaction.atomic
def invitation_create(
    *, organization: Organization, user: User, username: str, role: str
) -> Invitation:
    """Invite a user name (a pending invitation for it is renewed with the new role)."""
    now = timezone.now()
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organization=organization, username=username, status=Invitation.Status.PENDING)
        .first()
    ) or Invitation(organization=organization, username=username)
    invitation.role = role
    invitation.invited_by = user
    invitation.expires_at = now + dt.timedelta(days=INVITATION_DAYS)
    invitation.full_clean()
    invitation.save()
    audit_record(
        action="create",
        user=user,
        organization=organization,
        obj=invitation,
        changes={"username": [None, username], "role": [None, role]},
        reason="invitation to join",
    )
    return invitation


@transaction.atomic
def invitation_answer(
    *, invitation: Invitation, user: User, accept: bool, ip_address: str | None = None
) -> Membership | None:
    """The invited person, logged in, accepts (a membership is made) or declines.

    Audited in the inviting organization and in every organization the person already works
    in. Accepting never changes which organization is active.
    """

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if (
        invitation.username != normalize_username(user.get_username())
        or invitation.status != Invitation.Status.PENDING
        or invitation.expires_at <= timezone.now()
    ):
        raise ValidationError("This invitation is no longer open.")
    own_orgs = [
        m.organization
        for m in Membership.objects.filter(user=user, is_active=True)
        .exclude(organization=invitation.organization)
        .select_related("organization")
    ]
    invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at", "updated_at"])
    membership = None
    if accept:
        membership, _ = Membership.objects.update_or_create(
            user=user,
            organization=invitation.organization,
            defaults={"role": invitation.role, "is_active": True},
        )
    word = "accepted" if accept else "declined"
    audit_record(
        action="state",
        user=user,
        organization=invitation.organization,
        obj=membership or invitation,
        changes={"invitation": ["pending", word], "role": [None, invitation.role]},
        reason=f"{user.get_username()} {word} the invitation",
        ip_address=ip_address,
    )
    for org in own_orgs:
        audit_record(
            action="state",
            user=user,
            organization=org,
            changes={"invitation": ["pending", word]},
            reason=f"{user.get_username()} {word} an invitation to work in "
            f"{invitation.organization.name} as {invitation.get_role_display()}",
            ip_address=ip_address,
        )
    return membership


@transaction.atomic
def organization_choose(*, user: User, organization_public_id: str) -> Membership:
    """The user switches to another of their organizations; the next log-in starts there."""
    membership = (
        Membership.objects.select_related("organization")
        .filter(user=user, is_active=True, organization__public_id=organization_public_id)
        .first()
    )
    if membership is None:
        raise PermissionDenied("You are not a member of that organization.")
    membership.last_chosen_at = timezone.now()
    membership.save(update_fields=["last_chosen_at", "updated_at"])
    return membership
