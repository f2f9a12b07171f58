"""Making, revoking and checking API tokens (the rules of their text are in
``rules.common.api_tokens``). Every make and revoke is audited; every use is audited like a page
read, as the token's identity, by the read-audit middleware."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chairside.api.models import ApiToken
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.rules.common.api_tokens import matches, new_token, parse_token
from chairside.tenancy.models import Membership
from chairside.tenancy.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EXPIRY_DAYS = (30, 90, 365)
WRONG_PASSWORD = "Your password is not right: a token is made only after you re-enter it."  # noqa: S105
# Writing last_used_at on every call would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class TokenIdentity:
    token: ApiToken
    user: User
    membership: Membership


def _check_common(*, user: User, password: str, name: str, expires_in_days: int) -> None:
    errors: dict[str, str] = {}
    if not user.check_password(password or ""):
        errors["password"] = WRONG_PASSWORD
    if not name.strip():
        errors["name"] = 'Name the token after what uses it (e.g. "EHR referral feed").'
    if expires_in_days not in EXPIRY_DAYS:
        errors["expires_in_days"] = "Choose 30, 90 or 365 days."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def token_create_personal(
    *, organization: Any, user: User, name: str, expires_in_days: int, password: str
) -> tuple[ApiToken, str]:
    """A token that acts as ``user`` in ``organization``. Returns the row and the text to
    show once."""
    _check_common(user=user, password=password, name=name, expires_in_days=expires_in_days)
    if not Membership.objects.filter(organization=organization, user=user, is_active=True).exists():
        raise ValidationError("You are not a member of this organization.")
    return _make(
        organization,
        user,
        creator=user,
        kind=ApiToken.Kind.PERSONAL,
        role="",
        name=name,
        expires_in_days=expires_in_days,
    )


@transaction.atomic
def token_create_service(
    *, organization: Any, user: User, name: str, role: str, expires_in_days: int, password: str
) -> tuple[ApiToken, str]:
    """A token for a connected system, acting as its own service identity with ``role``
    (never administrator). The caller must hold ``settings.edit`` (the view checks)."""
    _check_common(user=user, password=password, name=name, expires_in_days=expires_in_days)
    if role not in Role.__members__.values() or role == Role.ADMIN:
        raise ValidationError({"role": "Choose a role other than administrator."})
    service_user = get_user_model().objects.create_user(
        username=f"svc-{uuid.uuid4().hex[:12]}", first_name=name.strip()[:150], last_name="(API)"
    )
    service_user.set_unusable_password()  # it never logs in to the pages
    service_user.save(update_fields=["password"])
    return _make(
        organization,
        service_user,
        creator=user,
        kind=ApiToken.Kind.SERVICE,
        role=role,
        name=name,
        expires_in_days=expires_in_days,
    )


def _make(
    organization: Any,
    acting: Any,
    *,
    creator: Any,
    kind: str,
    role: str,
    name: str,
    expires_in_days: int,
) -> tuple[ApiToken, str]:
    fresh = new_token()
    token = ApiToken.objects.create(
        organization=organization,
        kind=kind,
        name=name.strip()[:80],
        user=acting,
        role=role,
        prefix=fresh.prefix,
        digest=fresh.digest,
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days),
        created_by=creator,
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=creator,
        organization=organization,
        obj=token,
        changes={
            "api_token": [None, str(token)],
            "kind": [None, kind],
            "role": [None, role or "owner's role"],
            "expires_at": [None, token.expires_at.isoformat()],
        },
    )
    return token, fresh.text


@transaction.atomic
def token_revoke(*, token: ApiToken, user: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = user
    token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=token.organization,
        obj=token,
        changes={"revoked": [None, str(token)]},
    )
    return token


def token_authenticate(text: str) -> TokenIdentity | str:
    """The identity a token acts as, or the reason it is refused (for a 401)."""
    parsed = parse_token(text)
    if parsed is None:
        return "That is not a Chairside API token."
    prefix, secret = parsed
    token = ApiToken.objects.select_related("organization", "user").filter(prefix=prefix).first()
    if token is None or not matches(secret, token.digest):
        return "Unknown API token."
    now = timezone.now()
    problem = _refusal(token, now)
    membership = _membership(token) if not problem else None
    if problem or membership is None:
        return problem or "The token's owner is no longer a member of the organization."
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return TokenIdentity(token, token.user, membership)


def _refusal(token: ApiToken, now: dt.datetime) -> str:
    if token.revoked_at is not None:
        return "This API token was revoked."
    if token.expires_at <= now:
        return "This API token has expired: make a new one."
    if not token.user.is_active:
        return "The token's identity is disabled."
    return ""


def _membership(token: ApiToken) -> Membership | None:
    if token.kind == ApiToken.Kind.PERSONAL:
        return Membership.objects.filter(
            organization=token.organization, user=token.user, is_active=True
        ).first()
    # A service identity holds no stored membership: it acts with the token's role only.
    return Membership(user=token.user, organization=token.organization, role=token.role)


def tokens_for(*, organization: Any, user: User) -> dict[str, list[ApiToken]]:
    rows = ApiToken.objects.filter(organization=organization).select_related("user")
    return {
        "personal": list(rows.filter(kind=ApiToken.Kind.PERSONAL, user=user)),
        "service": list(rows.filter(kind=ApiToken.Kind.SERVICE)),
    }


def access_token(*, organization: Any, public_id: Any) -> ApiToken:
    """One API token of this organization (personal or service), or 404."""
    return get_object_or_404(ApiToken, organization=organization, public_id=public_id)
