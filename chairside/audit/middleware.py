"""Audit every read of patient data: one 'view' row per request (see ``audit.reads``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from chairside.audit import reads
from chairside.audit.services import audit_reads, client_ip


class AuditReadsMiddleware:
    """Collects the patients an authenticated member's request showed and writes one row.

    Sits after the active-organization middleware (it needs the membership's role)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = getattr(request, "membership", None)
        if membership is None or not request.user.is_authenticated:
            return self.get_response(request)
        collector = reads.ReadCollector(
            path=request.path[:300], role=membership.role, ip_address=client_ip(request)
        )
        with reads.collecting(collector):
            response = self.get_response(request)
        # The user of the request, which a view may have logged out meanwhile.
        audit_reads(collector=collector, user=membership.user, organization=membership.organization)
        return response
