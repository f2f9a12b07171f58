from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chairside.core.health import health
from chairside.core.today import today_cards
from chairside.tenancy.middleware import SESSION_KEY
from chairside.tenancy.services import organization_choose


def today(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    if getattr(request, "membership", None) is None:
        return render(request, "core/no_membership.html", status=403)
    return render(request, "core/today.html", {"cards": today_cards(request)})


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
