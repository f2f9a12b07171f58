"""Attach the active organization and membership to each authenticated request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from chairside.tenancy.models import Membership

SESSION_KEY = "active_organization"


class ActiveOrganizationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.organization = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            membership = self._active_membership(request)
            if membership is not None:
                request.membership = membership  # type: ignore[attr-defined]
                request.organization = membership.organization  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def _active_membership(request: HttpRequest) -> Membership | None:
        memberships = Membership.objects.filter(
            user_id=int(request.user.pk or 0), is_active=True
        ).select_related("organization")
        wanted = request.session.get(SESSION_KEY)
        if wanted:
            chosen = memberships.filter(organization__public_id=wanted).first()
            if chosen is not None:
                return chosen
        return memberships.order_by("organization__name").first()
