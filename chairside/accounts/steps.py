"""The steps of a log-in after the password: the second factor, setting one up where the
role requires it, and replacing a temporary password. The log-in view and the gate
middleware both ask ``pending_step``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse

from chairside.accounts import services
from chairside.tenancy.middleware import active_membership_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What the session remembers about the log-in (set at log-in, updated by the step pages).
HAS_TWO_FACTOR = "chairside_has_two_factor"
MUST_CHANGE_PASSWORD = "chairside_must_change_password"  # noqa: S105 (a session key)
LOGIN_AUDITED = "chairside_login_audited"


@dataclass(frozen=True)
class Step:
    url_name: str
    message: str


VERIFY = Step("accounts:two_factor_verify", "Enter the code from your authenticator app first.")
ENROL = Step(
    "accounts:two_factor_enrol", "Your role needs two-factor authentication: set it up first."
)
PASSWORD = Step("accounts:password_change", "Choose a new password first.")


@cache
def _always_allowed() -> frozenset[str]:
    return frozenset(
        {resolve_url(settings.LOGIN_URL), reverse("logout"), reverse("accounts:session")}
    )


def allowed_paths(step: Step) -> frozenset[str]:
    return _always_allowed() | {reverse(step.url_name)}


def remember_login_state(request: HttpRequest, user: User) -> None:
    """At log-in: what the gate needs, so that a finished log-in costs no query per request."""
    request.session[HAS_TWO_FACTOR] = services.has_two_factor(user)
    request.session[MUST_CHANGE_PASSWORD] = services.must_change_password(user)


def otp_verified(user: User) -> bool:
    """Whether this log-in gave its second factor (django-otp's ``OTPMiddleware`` gives the
    request's user ``is_verified()``)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def pending_step(request: HttpRequest) -> Step | None:
    user = request.user
    if not user.is_authenticated:
        return None  # no log-in, no step of one
    if not otp_verified(user):
        if HAS_TWO_FACTOR not in request.session:
            remember_login_state(request, user)
        if request.session.get(HAS_TWO_FACTOR):
            return VERIFY
        # Asked on every request until verified: a role that needs two-factor may be given
        # to a user while they are logged in.
        if services.two_factor_required(user):
            return ENROL
    if request.session.get(MUST_CHANGE_PASSWORD):
        return PASSWORD
    return None


def audit_organization(request: HttpRequest) -> Any:
    """The organization a log-in or log-off event is recorded in: the active one."""

    membership = getattr(request, "membership", None) or active_membership_for(request)
    return membership.organization if membership is not None else None
