"""API authentication and permissions: the same session, organization and roles as pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from chairside.tenancy.roles import Perm, has_perm


class MemberSession(SessionAuth):
    """A logged-in user who is a member of an organization (the active one).

    Unsafe methods need the CSRF token, exactly as forms do.
    """

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            return request.membership  # type: ignore[attr-defined]
        return None


class ApiTokenBearer(HttpBearer):
    """A call with an API token (``Authorization: Bearer cs_…``). The token itself is
    checked by ``api.middleware.ApiTokenMiddleware``, which answers 401 for a bad one and
    sets the request's identity; no CSRF token is needed, as no cookie is involved."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if getattr(request, "api_token", None) is not None:
            return request.membership  # type: ignore[attr-defined]
        return None


def require(request: HttpRequest, perm: Perm) -> None:
    """Refuse (403) unless the active membership's role grants the permission."""
    membership = getattr(request, "membership", None)
    if membership is None or not has_perm(membership.role, perm):
        raise HttpError(403, "Your role does not allow this.")


def active_organization(request: HttpRequest) -> Any:
    """The organization every API query is scoped to: the caller's active membership's."""
    return request.membership.organization  # type: ignore[attr-defined]
