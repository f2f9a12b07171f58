"""API authentication and permissions: the same session, organization and roles as pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from chairside.tenancy.roles import Perm, has_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from chairside.tenancy.models import Membership, Organization


class ApiRequest(HttpRequest):
    """A call the API let in: every route is authenticated (``api.auth`` below), so the caller
    is a signed-in user (a session or an API token's) with an active membership. ``auth`` is
    what the authenticating class returned: that membership."""

    auth: Membership
    user: User
    membership: Membership
    organization: Organization


class MemberSession(SessionAuth):
    """A logged-in user who is a member of an organization (the active one).

    Unsafe methods need the CSRF token, exactly as forms do.
    """

    def authenticate(self, request: HttpRequest, key: str | None) -> Membership | None:
        if not request.user.is_authenticated:
            return None
        membership: Membership | None = getattr(request, "membership", None)
        return membership


class ApiTokenBearer(HttpBearer):
    """A call with an API token (``Authorization: Bearer cs_…``). The token itself is
    checked by ``api.middleware.ApiTokenMiddleware``, which answers 401 for a bad one and
    sets the request's identity; no CSRF token is needed, as no cookie is involved."""

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        if getattr(request, "api_token", None) is None:
            return None
        membership: Membership | None = getattr(request, "membership", None)
        return membership


def require(request: HttpRequest, perm: Perm) -> None:
    """Refuse (403) unless the active membership's role grants the permission."""
    membership = getattr(request, "membership", None)
    if membership is None or not has_perm(membership.role, perm):
        raise HttpError(403, "Your role does not allow this.")


def active_organization(request: ApiRequest) -> Organization:
    """The organization every API query is scoped to: the caller's active membership's."""
    return request.membership.organization
