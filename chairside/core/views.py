from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chairside.core.health import health
from chairside.core.today import client_today, today_cards
from chairside.tenancy.middleware import SESSION_KEY
from chairside.tenancy.services import organization_choose


def today(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    if getattr(request, "membership", None) is None:
        return render(request, "core/no_membership.html", status=403)
    clients = client_today(request)
    cards = today_cards(request)
    if clients:  # a management company's own queues are empty: show only what is not
        cards = [c for c in cards if c.count not in (0, "0")]
    return render(request, "core/today.html", {"cards": cards, "clients": clients})


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    membership = organization_choose(
        user=request.user, organization_public_id=request.POST.get("organization", "")
    )
    request.session[SESSION_KEY] = str(membership.organization.public_id)
    messages.success(request, f"You are now working in {membership.organization.name}.")
    return redirect("today")


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
    from django.templatetags.static import static

    return redirect(static("core/favicon.svg"))
