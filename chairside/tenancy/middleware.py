"""Attach the active organization and membership to each authenticated request.

The active organization is the one the user chose last (kept in the session, and on the
membership so that it holds across log-ins). A membership the user has just gained is
never made active silently: they switch to it in the top bar.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import F
from django.http import HttpRequest, HttpResponse

from chairside.tenancy.models import Membership

SESSION_KEY = "active_organization"


def active_membership_for(request: HttpRequest) -> Membership | None:
    """The session's chosen membership, else the one chosen last, else the oldest."""
    if not request.user.is_authenticated:
        return None
    memberships = Membership.objects.filter(
        user_id=int(request.user.pk or 0), is_active=True
    ).select_related("organization")
    wanted = request.session.get(SESSION_KEY)
    if wanted:
        chosen = memberships.filter(organization__public_id=wanted).first()
        if chosen is not None:
            return chosen
    chosen = memberships.order_by(
        F("last_chosen_at").desc(nulls_last=True), "created_at", "pk"
    ).first()
    if chosen is not None:
        request.session[SESSION_KEY] = str(chosen.organization.public_id)
    return chosen


class ActiveOrganizationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.organization = None  # type: ignore[attr-defined]
        membership = active_membership_for(request)
        if membership is not None:
            request.membership = membership  # type: ignore[attr-defined]
            request.organization = membership.organization  # type: ignore[attr-defined]
        return self.get_response(request)
