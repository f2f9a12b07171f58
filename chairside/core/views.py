from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from chairside.core.health import health


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the job broker both answer in time, else 503 naming the
    one that did not (``chairside.core.health``)."""
    answers = health()
    failing = [name for name, answer in answers.items() if answer != "ok"]
    body = {"status": "unavailable" if failing else "ok", **answers, "vendor": connection.vendor}
    if failing:
        body["failing"] = ", ".join(failing)
    return JsonResponse(body, status=503 if failing else 200)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Refused: say why (the role) and what to do instead of a bare 'Forbidden'."""
    membership = getattr(request, "membership", None)
    context = {
        "reason": str(exception) if exception is not None and str(exception) else "",
        "role": membership.get_role_display() if membership is not None else "",
    }
    return render(request, "403.html", context, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Not found: a mistyped address, a removed record, or another organization's record."""
    return render(request, "404.html", {"path": request.path}, status=404)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG (resolved
    per request, so a missing static manifest cannot break URL loading)."""

    return redirect(static("core/favicon.svg"))
