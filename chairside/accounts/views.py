"""Log-in, log-off, the second factor, passwords and the user's own account page."""

from __future__ import annotations

from base64 import b32encode
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from chairside.accounts import services, steps
from chairside.accounts.forms import AdminPasswordResetForm, CodeForm, LoginForm
from chairside.accounts.middleware import minutes_text, seconds_left, start_clock, touch
from chairside.accounts.throttle import (
    address_delay_seconds,
    client_address,
    normalize_username,
    slow_down,
    username_locked,
)
from chairside.core.forms_util import add_service_errors, submit_form
from chairside.tenancy.access import OrgRequest, require_perm, signed_in
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import access_membership, invitations_for
from chairside.tenancy.services import invitation_answer

if TYPE_CHECKING:
    pass

ENDED = {
    "idle": "You were logged off after {minutes} without activity, to keep patients' "
    "information private. Log in again to go on.",
    "limit": "Your session reached its time limit. Log in again to go on.",
    "locked": "Too many failed log-ins. Wait {window} minutes, or ask an administrator to "
    "reset your password.",
}


def _locked_message() -> str:
    return ENDED["locked"].format(window=settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)


def _next(request: HttpRequest) -> str:
    """The page to go on to: a safe ``next`` from the query or form, else Today."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _then(request: HttpRequest, next_url: str) -> str:
    """The next step of the log-in, if one is left, else where the user was going."""
    step = steps.pending_step(request)
    if step is None:
        return next_url
    return f"{reverse(step.url_name)}?{urlencode({'next': next_url})}"


def _identity_proven(request: HttpRequest, method: str) -> None:
    """Audit the log-in once, when the password (and second factor, if any) are given."""
    if request.session.get(steps.LOGIN_AUDITED):
        return
    services.login_recorded(
        user=signed_in(request),
        organization=steps.audit_organization(request),
        ip_address=client_address(request),
        method=method,
    )
    request.session[steps.LOGIN_AUDITED] = True


class LoginView(auth_views.LoginView):
    """Django's log-in with a lock per user name and a slow-down per address (both audited
    failures), then the second-factor and password steps."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        ended = self.request.GET.get("ended", "")
        if ended in ENDED:
            context["ended"] = ENDED[ended].format(
                minutes=minutes_text(settings.SESSION_IDLE_SECONDS),
                window=settings.LOGIN_FAILURE_WINDOW_SECONDS // 60,
            )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = normalize_username(request.POST.get("username", ""))
        ip = client_address(request)
        if username and username_locked(username):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _locked_message())
            return self.render_to_response(self.get_context_data(form=form), status=429)
        slow_down(address_delay_seconds(ip))
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200 and username:  # the form was re-shown: it failed
            services.login_failure_recorded(username=username, ip_address=ip, step="password")
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        auth_login(self.request, user)
        start_clock(self.request)
        steps.remember_login_state(self.request, user)
        step = steps.pending_step(self.request)
        if step is None or step is steps.PASSWORD:
            _identity_proven(self.request, "password")
        return redirect(_then(self.request, self.get_success_url()))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.logout_recorded(
            user=request.user,
            organization=steps.audit_organization(request),
            ip_address=client_address(request),
            reason="logged out",
        )
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _refuse_locked(request: HttpRequest) -> HttpResponse:
    """Too many wrong codes: end the half-finished log-in."""
    logout(request)
    return redirect(f"{resolve_url(settings.LOGIN_URL)}?ended=locked")


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    user = signed_in(request)
    if steps.otp_verified(user):
        return redirect(next_url)
    if not services.has_two_factor(user):
        request.session[steps.HAS_TWO_FACTOR] = False
        return redirect(_then(request, next_url))
    username = normalize_username(user.get_username())
    if username_locked(username):
        return _refuse_locked(request)
    form = CodeForm(request.POST or None)
    # Not submit_form: success renders the recovery codes, and an invalid code form stays 200.
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = client_address(request)
        slow_down(address_delay_seconds(ip))
        device = services.code_matches(user=user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            _identity_proven(request, f"password + {device.name.lower()}")
            return redirect(_then(request, next_url))
        services.login_failure_recorded(username=username, ip_address=ip, step="two-factor code")
        if username_locked(username):
            return _refuse_locked(request)
        form.add_error(
            "code",
            "That code is not right. Use the newest code in your authenticator app (it changes "
            "every 30 seconds), or one of your recovery codes."
            + (
                " After a wrong code, wait a few seconds before the next try."
                if services.codes_paused(user=user)
                else ""
            ),
        )
        status = 400
    context = {"form": form, "next": next_url}
    return render(request, "accounts/two_factor_verify.html", context, status=status)


def _qr_svg(data: str) -> str:
    """The enrolment QR code as inline SVG (no image request, nothing sent elsewhere)."""
    return str(segno.make(data, error="m").svg_inline(scale=4, border=2, dark="#1d2733"))


@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app; a user who has one must prove it before replacing it."""
    next_url = _next(request)
    user = signed_in(request)
    if services.has_two_factor(user) and not steps.otp_verified(user):
        return redirect(_then(request, next_url))
    device = services.totp_device_start(user=user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(
                user=user,
                device=device,
                token=form.cleaned_data["code"],
                organization=steps.audit_organization(request),
                ip_address=client_address(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        else:
            otp_login(request, device)
            request.session[steps.HAS_TWO_FACTOR] = True
            _identity_proven(request, "password + new authenticator")
            context = {"codes": codes, "next": _then(request, next_url), "first_time": True}
            return render(request, "accounts/recovery_codes.html", context)
    secret = b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": _qr_svg(device.config_url),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "required": services.two_factor_required(user),
    }
    return render(request, "accounts/two_factor_enrol.html", context, status=status)


@login_required
@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not steps.otp_verified(user):
        return redirect("accounts:two_factor_verify")
    codes = services.recovery_codes_replace(
        user=user,
        organization=steps.audit_organization(request),
        ip_address=client_address(request),
    )
    next_url = reverse("accounts:home")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


@login_required
@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not steps.otp_verified(user):
        return redirect("accounts:two_factor_verify")
    try:
        services.two_factor_remove(
            user=user,
            organization=steps.audit_organization(request),
            ip_address=client_address(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        request.session[steps.HAS_TWO_FACTOR] = False
        messages.success(request, "Two-factor authentication is off for your log-in.")
    return redirect("accounts:home")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = PasswordChangeForm(user, request.POST or None)
    form.fields["old_password"].label = "Current (or temporary) password"
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.password_change(
                user=user,
                new_password=form.cleaned_data["new_password1"],
                organization=steps.audit_organization(request),
                ip_address=client_address(request),
            )
            update_session_auth_hash(request, user)
            request.session[steps.MUST_CHANGE_PASSWORD] = False
            messages.success(request, "Your password is changed.")
            return redirect(_then(request, _next(request)))
        status = 400
    context = {
        "form": form,
        "next": _next(request),
        "forced": bool(request.session.get(steps.MUST_CHANGE_PASSWORD)),
    }
    return render(request, "accounts/password_change.html", context, status=status)


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    context = {
        "invitations": invitations_for(user=user),
        "has_two_factor": services.has_two_factor(user),
        "two_factor_required": services.two_factor_required(user),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def invitation_respond(request: HttpRequest, public_id: str) -> HttpResponse:
    user = signed_in(request)
    invitation = get_object_or_404(invitations_for(user=user), public_id=public_id)
    accept = request.POST.get("answer") == "accept"
    try:
        invitation_answer(
            invitation=invitation,
            user=user,
            accept=accept,
            ip_address=client_address(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        org = invitation.organization.name
        messages.success(
            request,
            f"You now also work in {org}: switch to it in the top bar when you need it."
            if accept
            else f"You declined the invitation from {org}.",
        )
    return redirect("accounts:home")


def session_clock(request: HttpRequest) -> JsonResponse:
    """Seconds left in the session. GET only reads it; POST ("Stay logged in") is activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Your session has ended."}, status=401)
    if request.method == "POST":
        touch(request, force=True)
    return JsonResponse(
        {
            "seconds_left": seconds_left(request),
            "warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
        }
    )


def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """/django-admin/login/ → the app's log-in (a POST here logs nobody in)."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_url})}")


@require_perm(Perm.SETTINGS_EDIT)
def password_reset(request: OrgRequest, public_id: str) -> HttpResponse:
    """Set a member's temporary password (they must change it at next log-in)."""
    membership = access_membership(organization=request.organization, public_id=public_id)
    form = AdminPasswordResetForm(request.POST or None)
    return submit_form(
        request,
        form,
        save=lambda data: services.password_reset_by_admin(
            organization=request.organization,
            admin=request.user,
            account=membership.user,
            temporary_password=data["temporary_password"],
            reset_two_factor=data["reset_two_factor"],
            ip_address=client_address(request),
        ),
        message=f"{membership.user.username} has a temporary password; they must change it "
        "at their next log-in.",
        done="tenancy:settings",
        template="accounts/admin_password_reset.html",
        context={"membership": membership},
    )
