"""Small helpers for the referral and access pages."""

from __future__ import annotations

from typing import Any, cast

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from chairside.audit.services import audit_record, client_ip


def redirect_next(request: HttpRequest, default: str, *args: object) -> HttpResponse:
    """Go to ?next= when it is a path on this site, else to ``default``."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(wanted)
    return redirect(default, *args)


def status_for(request: HttpRequest) -> int:
    """400 for a re-shown form after a POST (nothing saved), 200 for a first view."""
    return 400 if request.method == "POST" else 200


def serve_document(request: HttpRequest, document: Any, patient: Any) -> HttpResponse:
    """Stream a stored document inline; each opening is audited (it is patient data)."""

    audit_record(
        action="view",
        user=request.user,
        organization=getattr(request, "organization", None),
        obj=document,
        patient=patient,
        ip_address=client_ip(request),
    )
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    name = str(document.file.name or "document").rsplit("/", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return cast(HttpResponse, response)
