"""Read queries for sites and staff, always scoped to one organization."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chairside.core.usernames import normalize_username
from chairside.tenancy.models import (
    Chair,
    Competency,
    Invitation,
    Location,
    Membership,
    StaffMember,
)
from chairside.tenancy.roles import Perm, has_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EXPIRY_WARNING_DAYS = 60


def user_has_perm(*, user: User, organization: Any, perm: Perm) -> bool:
    """Whether ``user``'s active membership in ``organization`` grants ``perm`` (services
    use it where the rule depends on who acts, e.g. only ``order.sign`` signs an order)."""
    if getattr(user, "pk", None) is None:
        return False
    membership = Membership.objects.filter(
        user_id=user.pk, organization=organization, is_active=True
    ).first()
    return membership is not None and has_perm(membership.role, perm)


def locations(*, organization: Any) -> QuerySet[Location]:
    return (
        Location.objects.filter(organization=organization)
        .prefetch_related(
            "hours", Prefetch("chairs", queryset=Chair.objects.order_by("sort_order", "name"))
        )
        .annotate(active_chairs=Count("chairs", filter=Q(chairs__is_active=True)))
    )


def sites(*, organization: Any, active_only: bool = False) -> QuerySet[Location]:
    """The organization's sites by name (the pickers' list); ``active_only`` hides closed ones."""
    found = Location.objects.filter(organization=organization)
    return found.filter(is_active=True) if active_only else found


def first_site(*, organization: Any) -> Location | None:
    """The organization's first site ever made (its time zone stands for the organization's)."""
    return Location.objects.filter(organization=organization).order_by("pk").first()


def memberships(*, organization: Any) -> QuerySet[Membership]:
    """Everyone with a log-in here, active or not, with their user."""
    return Membership.objects.filter(organization=organization).select_related("user")


def access_membership(*, organization: Any, public_id: Any) -> Membership:
    """One membership of this organization, or 404 (another organization's is unknown)."""
    return get_object_or_404(memberships(organization=organization), public_id=public_id)


def access_location(*, organization: Any, public_id: Any) -> Location:
    """One site of this organization, or 404 (another organization's is unknown)."""
    return get_object_or_404(Location, organization=organization, public_id=public_id)


def access_chair(*, organization: Any, public_id: Any, location: Location | None = None) -> Chair:
    """One chair at a site of this organization (at ``location`` when given), or 404."""
    chairs = Chair.objects.filter(location__organization=organization)
    if location is not None:
        chairs = chairs.filter(location=location)
    return get_object_or_404(chairs, public_id=public_id)


def access_staff(*, organization: Any, public_id: Any) -> StaffMember:
    """One staff record of this organization, active or not, or 404."""
    return get_object_or_404(StaffMember, organization=organization, public_id=public_id)


def active_staff(*, organization: Any) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(organization=organization, is_active=True)


def staff_member(*, organization: Any, public_id: Any = None, pk: Any = None) -> StaffMember | None:
    """One staff record of this organization by public id (or primary key), active or not;
    ``None`` when there is no such record here."""
    found = StaffMember.objects.filter(organization=organization)
    if pk is not None:
        return found.filter(pk=pk).first()
    return found.filter(public_id=public_id).first()


def staff_of_user(*, organization: Any, user: User) -> StaffMember | None:
    """The logged-in person's staff record in this organization (active or not), if any."""
    return StaffMember.objects.filter(organization=organization, user=user).first()


@dataclass(frozen=True)
class CredentialFlag:
    what: str
    expires_on: dt.date
    expired: bool


def credential_flags(staff: StaffMember, today: dt.date) -> list[CredentialFlag]:
    """Licences and competencies expired, or expiring within 60 days."""
    horizon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    items: list[tuple[str, dt.date | None]] = [
        (f"{staff.license_state} licence", staff.license_expires)
    ]
    items += [(c.get_skill_display(), c.expires_on) for c in staff.competencies.all()]
    return [
        CredentialFlag(what, expires, expires < today)
        for what, expires in items
        if expires is not None and expires <= horizon
    ]


def staff_directory(*, organization: Any, include_inactive: bool = False) -> QuerySet[StaffMember]:
    staff = StaffMember.objects.filter(organization=organization).select_related(
        "home_location", "user"
    )
    if not include_inactive:
        staff = staff.filter(is_active=True)
    return staff.prefetch_related(
        Prefetch("competencies", queryset=Competency.objects.order_by("skill"))
    )


def staff_with_flags(
    *, organization: Any, today: dt.date
) -> list[tuple[StaffMember, list[CredentialFlag]]]:
    return [(s, credential_flags(s, today)) for s in staff_directory(organization=organization)]


def pending_invitations(*, organization: Any) -> QuerySet[Invitation]:
    """Invitations this organization sent that are still open."""
    return Invitation.objects.filter(
        organization=organization, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    ).order_by("username")


def invitations_for(*, user: User) -> QuerySet[Invitation]:
    """Open invitations addressed to this user's log-in name (any organization)."""

    return (
        Invitation.objects.filter(
            username=normalize_username(user.get_username()),
            status=Invitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        )
        .select_related("organization", "invited_by")
        .order_by("-created_at")
    )


def site_time_zone(*, organization: Any) -> str:
    """The time zone audit times are shown in: the organization's sites' zone (its first
    active site's when they differ), else the server's ``TIME_ZONE``."""

    zone = (
        Location.objects.filter(organization=organization, is_active=True)
        .order_by("name")
        .values_list("time_zone", flat=True)
        .first()
    )
    return zone or str(settings.TIME_ZONE)
