from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chairside.audit.models import AuditEvent
from chairside.audit.selectors import recent_login_failures
from chairside.audit.services import audit_record, client_ip
from chairside.core.today import today_cards
from chairside.tenancy.middleware import SESSION_KEY
from chairside.tenancy.models import Membership


class ThrottledLoginView(auth_views.LoginView):
    """Django's log-in, refusing further attempts after repeated failures (audited)."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = request.POST.get("username", "").strip().lower()
        ip = client_ip(request)
        failures = recent_login_failures(
            username=username, ip_address=ip, window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS
        )
        if failures >= settings.LOGIN_MAX_FAILURES:
            minutes = settings.LOGIN_FAILURE_WINDOW_SECONDS // 60
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                f"Too many failed log-ins. Wait {minutes} minutes, or ask an administrator "
                "to reset your password.",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:  # the form was re-shown: the log-in failed
            audit_record(action=AuditEvent.Action.LOGIN_FAILED, username=username, ip_address=ip)
        return response


def today(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    if getattr(request, "membership", None) is None:
        return render(request, "core/no_membership.html", status=403)
    return render(request, "core/today.html", {"cards": today_cards(request)})


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("organization", "")
    membership = Membership.objects.filter(
        user_id=int(request.user.pk or 0), is_active=True, organization__public_id=wanted
    ).first()
    if membership is None:
        raise PermissionDenied("You are not a member of that organization.")
    request.session[SESSION_KEY] = str(membership.organization.public_id)
    messages.success(request, f"You are now working in {membership.organization.name}.")
    return redirect("today")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
