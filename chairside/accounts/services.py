"""Log-in use cases: who must use two-factor, recording log-in and log-off, passwords and
authenticator devices. Every change here is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chairside.accounts.models import AccountSecurity
from chairside.accounts.throttle import (
    address_delay_seconds,
    normalize_username,
    slow_down,
    username_locked,
)
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.tenancy.models import Membership, Organization
from chairside.tenancy.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Roles that reach money or every patient of several practices: they must use two-factor.
TWO_FACTOR_ROLES = frozenset({Role.ADMIN.value, Role.BILLER.value})
RECOVERY_CODE_COUNT = 10


def two_factor_required(user: User) -> bool:
    """Administrators, billers, anyone in a management company, and Django staff."""
    if user.is_staff or user.is_superuser:
        return True
    return (
        Membership.objects.filter(user=user, is_active=True)
        .filter(
            Q(role__in=TWO_FACTOR_ROLES)
            | Q(organization__kind=Organization.Kind.MANAGEMENT_COMPANY)
        )
        .exists()
    )


def has_two_factor(user: User) -> bool:
    """The user has a confirmed authenticator (recovery codes alone do not count)."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def must_change_password(user: User) -> bool:
    return AccountSecurity.objects.filter(user=user, must_change_password=True).exists()


def _member_organizations(user: User) -> list[Organization]:
    return [
        m.organization
        for m in Membership.objects.filter(user=user, is_active=True).select_related("organization")
    ]


# --- log-in and log-off --------------------------------------------------------------------


def login_recorded(
    *, user: User, organization: Organization | None, ip_address: str | None, method: str
) -> AuditEvent:
    """A completed log-in (password, and the second factor when the user has one)."""
    return audit_record(
        action=AuditEvent.Action.LOGIN,
        user=user,
        organization=organization,
        ip_address=ip_address,
        changes={"method": method},
    )


def login_failure_recorded(*, username: str, ip_address: str | None, step: str) -> AuditEvent:
    """A failed password or code; these rows are what the log-in throttle counts."""
    return audit_record(
        action=AuditEvent.Action.LOGIN_FAILED,
        username=normalize_username(username)[:150],
        ip_address=ip_address,
        changes={"step": step},
    )


def logout_recorded(
    *, user: User, organization: Organization | None, ip_address: str | None, reason: str
) -> AuditEvent:
    return audit_record(
        action=AuditEvent.Action.LOGOUT,
        user=user,
        organization=organization,
        ip_address=ip_address,
        reason=reason,
    )


# --- passwords -----------------------------------------------------------------------------


@transaction.atomic
def password_change(
    *, user: User, new_password: str, organization: Organization | None, ip_address: str | None
) -> None:
    """The user chose a new password (checked by the password validators)."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    AccountSecurity.objects.update_or_create(
        user=user,
        defaults={"must_change_password": False, "password_changed_at": timezone.now()},
    )
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=organization,
        ip_address=ip_address,
        changes={"password": ["(old)", "(changed by the user)"]},
        reason="password changed",
    )


@transaction.atomic
def password_reset_by_admin(
    *,
    organization: Organization,
    admin: Any,
    account: Any,
    temporary_password: str,
    reset_two_factor: bool = False,
    ip_address: str | None = None,
) -> None:
    """An administrator sets a temporary password; the user must change it at next log-in.

    Refused for the administrator's own log-in, and for a log-in that also works in another
    organization (its administrator there has not agreed to hand it a new password).
    Optionally removes the user's authenticator and recovery codes (a lost phone), so that
    they enrol again after logging in.
    """
    if account.pk == admin.pk:
        raise ValidationError("Use “Change password” under your account for your own log-in.")
    orgs = _member_organizations(account)
    if any(o.pk != organization.pk for o in orgs):
        raise ValidationError(
            f"{account.get_username()} also works in another organization, so only they can "
            "change this password (or a Chairside system administrator can reset it)."
        )
    if not Membership.objects.filter(user=account, organization=organization).exists():
        raise ValidationError("That log-in is not a member of your organization.")
    try:
        validate_password(temporary_password, account)
    except ValidationError as exc:
        raise ValidationError({"temporary_password": exc.messages}) from None
    account.set_password(temporary_password)
    account.save(update_fields=["password"])
    AccountSecurity.objects.update_or_create(user=account, defaults={"must_change_password": True})
    changes: dict[str, Any] = {"password": ["(old)", "(temporary, must change)"]}
    if reset_two_factor:
        removed = [d.name for d in devices_for_user(account, confirmed=None)]
        for device in list(devices_for_user(account, confirmed=None)):
            device.delete()
        changes["two_factor"] = [removed, []]
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=admin,
        organization=organization,
        ip_address=ip_address,
        changes=changes,
        reason=f"password of {account.get_username()} reset by an administrator",
    )


# --- two-factor ----------------------------------------------------------------------------


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The authenticator being set up: a new secret, unconfirmed until a code matches.

    Reopening the page keeps the same secret (so a half-scanned code still works).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(
    *,
    user: User,
    device: TOTPDevice,
    token: str,
    organization: Organization | None,
    ip_address: str | None,
) -> list[str]:
    """Confirm the authenticator with a code from it; returns new recovery codes (shown once).

    Replaces any earlier authenticator, so a user has one at a time.
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError("Start the set-up again: this authenticator is not waiting.")
    if not device.verify_token(token.replace(" ", "")):
        raise ValidationError(
            {"code": "That code does not match. Check the phone's clock, then try the newest code."}
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        ip_address=ip_address,
        changes={"two_factor": [None, "authenticator app"]},
        reason="two-factor authentication set up",
    )
    return recovery_codes_replace(user=user, organization=organization, ip_address=ip_address)


@transaction.atomic
def recovery_codes_replace(
    *, user: User, organization: Organization | None, ip_address: str | None
) -> list[str]:
    """New single-use recovery codes; the old ones stop working.

    Chairside shows them once, on the page that made them, and never again.
    """
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=organization,
        ip_address=ip_address,
        changes={"recovery_codes": [None, f"{len(codes)} new codes"]},
        reason="recovery codes replaced",
    )
    return codes


@transaction.atomic
def two_factor_remove(
    *, user: User, organization: Organization | None, ip_address: str | None
) -> None:
    """Switch two-factor off (only for a user whose roles do not require it)."""
    if two_factor_required(user):
        raise ValidationError("Your role requires two-factor authentication; it stays on.")
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=organization,
        ip_address=ip_address,
        changes={"two_factor": ["authenticator app", None]},
        reason="two-factor authentication switched off",
    )


def code_matches(*, user: User, token: str) -> Any:
    """The device (authenticator or recovery codes) that accepts this code, or None.

    Each device applies django-otp's own throttle (a growing wait after each wrong code),
    and a recovery code works once.
    """
    token = token.replace(" ", "").replace("-", "").strip().lower()
    if not token:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if device.verify_token(token):
                return device
    return None


def codes_paused(*, user: User) -> bool:
    """True while django-otp makes the user wait after a wrong code (a growing pause)."""
    return any(
        not device.verify_is_allowed()[0] for device in devices_for_user(user, for_verify=False)
    )


__all__ = [
    "code_matches",
    "codes_paused",
    "has_two_factor",
    "login_failure_recorded",
    "login_recorded",
    "logout_recorded",
    "must_change_password",
    "password_change",
    "password_reset_by_admin",
    "recovery_codes_replace",
    "totp_device_confirm",
    "totp_device_start",
    "two_factor_remove",
    "two_factor_required",
]


# --- a second person confirming on this device ------------------------------------------


def cosigner_authenticate(
    *, username: str, password: str, organization: Organization, ip_address: str | None
) -> User:
    """Re-authenticate a colleague who confirms an action on someone else's device (an
    independent double check, a witnessed waste) with her own user name and password.

    Throttled exactly like the log-in: the same per-name lock and per-address slow-down,
    and a wrong password is recorded as a failed log-in (step ``cosign``) that counts
    towards them. She must be an active member of the organization. Returns her user;
    ValidationError otherwise. Her session is not touched: nobody is logged in or out.
    """
    name = normalize_username(username or "")
    if not name or not password:
        raise ValidationError({"cosigner": "The second person types her user name and password."})
    if username_locked(name):
        minutes = settings.LOGIN_FAILURE_WINDOW_SECONDS // 60
        raise ValidationError(
            {"cosigner": f"Too many wrong passwords for {name}: wait {minutes} minutes."}
        )
    slow_down(address_delay_seconds(ip_address))
    user = authenticate(None, username=name, password=password)
    if not isinstance(user, get_user_model()):  # None: unknown name or a wrong password
        login_failure_recorded(username=name, ip_address=ip_address, step="cosign")
        raise ValidationError({"cosigner": "That user name and password do not match."})
    if not Membership.objects.filter(user=user, organization=organization, is_active=True).exists():
        raise ValidationError({"cosigner": f"{name} is not a member of this organization."})
    return user
