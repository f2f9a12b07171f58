"""Permission-checked access: every view reaches data through the active organization.

``require_perm`` guards a view: the user must be logged in, belong to an organization
(the active one), and hold the permission; otherwise 403 (or the log-in page).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from chairside.tenancy.roles import Perm, has_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails

    from chairside.tenancy.models import Membership, Organization


class HtmxHttpRequest(HttpRequest):
    """A request through django-htmx's ``HtmxMiddleware``: ``request.htmx`` is truthy for a
    call htmx made (django-htmx documents this class for type checking; it ships none)."""

    htmx: HtmxDetails


class OrgRequest(HtmxHttpRequest):
    """A request that passed ``require_perm``: it carries the active organization."""

    organization: Organization
    membership: Membership
    user: User


def signed_in(request: HttpRequest) -> User:
    """The caller of a view behind ``login_required`` (or ``require_perm``), as a ``User``.

    Such a view never sees an anonymous caller; were it reached without log-in, this refuses
    (403) rather than act for an ``AnonymousUser``."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied("Log in first.")
    return user


View = TypeVar("View", bound=Callable[..., HttpResponse])


def require_perm(perm: Perm) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                raise PermissionDenied("You are not a member of any organization.")
            if not has_perm(membership.role, perm):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


def require_any_perm(*perms: Perm) -> Callable[[View], View]:
    """Like :func:`require_perm`, for a page that several permissions open."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                raise PermissionDenied("You are not a member of any organization.")
            if not any(has_perm(membership.role, perm) for perm in perms):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


def can(request: HttpRequest, perm: Perm) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and has_perm(membership.role, perm)
