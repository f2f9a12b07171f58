"""Session middleware: no caching of anything a logged-in user sees, automatic log-off, and
the gate that keeps a half-finished log-in (second factor, forced password change) on its
few pages."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from chairside.accounts import steps
from chairside.accounts.services import logout_recorded
from chairside.audit.services import client_ip

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Handler = Callable[[HttpRequest], HttpResponse]

SESSION_STARTED = "chairside_session_started"
SESSION_SEEN = "chairside_session_seen"
# Activity is written to the session at most this often, so that a page with many htmx
# requests does not save the session on every one of them.
SEEN_RESOLUTION_SECONDS = 10


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# The REST API and the FHIR facade: their callers are programs, which want a status and a
# JSON body they can read, never an HTML log-in page behind a redirect.
API_PATHS = ("/api/", "/fhir/")


def wants_json(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PATHS) or request.path_info.startswith(
        reverse("accounts:session")
    )


def json_refusal(request: HttpRequest, message: str, status: int, **extra: str) -> HttpResponse:
    """The API's ``{"detail": …}``, or for a FHIR client the OperationOutcome it expects
    (FHIR R4 3.1.0.4 "Operation Outcome"; issue type ``login``: the client must
    authenticate, or finish authenticating)."""
    if request.path_info.startswith("/fhir/"):
        issue = {"severity": "error", "code": "login", "diagnostics": message}
        response: HttpResponse = JsonResponse(
            {"resourceType": "OperationOutcome", "issue": [issue]},
            status=status,
            content_type="application/fhir+json; charset=utf-8",
        )
    else:
        response = JsonResponse({"detail": message, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="chairside"'
    return response


def sends_bearer_token(request: HttpRequest) -> bool:
    """An API or FHIR call with ``Authorization: Bearer …``: the token, not the session,
    says who calls (``api.middleware.ApiTokenMiddleware`` checks it, or answers 401)."""
    header = request.headers.get("Authorization", "")
    scheme = header.strip().partition(" ")[0].lower()
    return request.path_info.startswith(API_PATHS) and scheme == "bearer"


def to_login(
    request: HttpRequest, message: str, status: int = 401, ended: str = ""
) -> HttpResponse:
    """Send a request whose session ended to the log-in page, in the way its caller can use:
    JSON 401 for the API and the session clock, an htmx redirect for a partial, else a
    redirect that comes back here afterwards."""
    next_path = request.get_full_path() if request.method == "GET" else request.path
    query = {"next": next_path, **({"ended": ended} if ended else {})}
    login = f"{resolve_url(settings.LOGIN_URL)}?{urlencode(query)}"
    if wants_json(request):
        return json_refusal(request, message, status, login=login)
    if is_htmx(request):
        response = HttpResponse(message, status=status, content_type="text/plain")
        response["HX-Redirect"] = login
        return response
    return HttpResponseRedirect(login)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and friends) on every response to a logged-in session:
    pages, partials, PDFs, exports and the API, so no browser or proxy keeps patient data."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        arrived = request.user.is_authenticated
        response = self.get_response(request)
        if arrived or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class SessionTimeoutMiddleware:
    """Automatic log-off after SESSION_IDLE_SECONDS without activity and, whatever the
    activity, SESSION_ABSOLUTE_SECONDS after log-in (HIPAA 164.312(a)(2)(iii)). Audited.

    A GET of the session clock (what the idle warning asks) does not count as activity.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            ended = self._ended(request)
            if ended is not None:
                return self._log_off(request, user, ended)
            if not (request.method == "GET" and request.path_info == reverse("accounts:session")):
                touch(request)
        response = self.get_response(request)
        if is_htmx(request) and response.status_code == 302:
            # An htmx request that would be sent to log in: navigate the page, not the partial.
            login = resolve_url(settings.LOGIN_URL)
            if response.get("Location", "").startswith(login):
                redirected = HttpResponse(status=401)
                redirected["HX-Redirect"] = response["Location"]
                return redirected
        return response

    @staticmethod
    def _ended(request: HttpRequest) -> tuple[str, str] | None:
        """Why the session ended (a code for the log-in page, and words for the audit)."""
        now = time.time()
        session = request.session
        started = session.get(SESSION_STARTED)
        seen = session.get(SESSION_SEEN)
        if started is None or seen is None:
            start_clock(request)
            return None
        if now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
            hours = settings.SESSION_ABSOLUTE_SECONDS / 3600
            return "limit", f"session limit of {hours:g} hours reached"
        if now - float(seen) > settings.SESSION_IDLE_SECONDS:
            return "idle", f"{minutes_text(settings.SESSION_IDLE_SECONDS)} without activity"
        return None

    @staticmethod
    def _log_off(request: HttpRequest, user: User, ended: tuple[str, str]) -> HttpResponse:
        code, reason = ended
        logout_recorded(
            user=user,
            organization=steps.audit_organization(request),
            ip_address=client_ip(request),
            reason=f"automatic log-off: {reason}",
        )
        logout(request)
        message = f"You were logged off automatically ({reason}). Log in again to go on."
        return to_login(request, message, ended=code)


def minutes_text(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def start_clock(request: HttpRequest) -> None:
    start_clock_in(request.session)


def start_clock_in(session: Any) -> None:
    """Start the session's clocks now (at log-in)."""
    now = time.time()
    session[SESSION_STARTED] = now
    session[SESSION_SEEN] = now


def touch(request: HttpRequest, *, force: bool = False) -> None:
    now = time.time()
    seen = float(request.session.get(SESSION_SEEN, 0))
    if force or now - seen >= SEEN_RESOLUTION_SECONDS:
        request.session[SESSION_SEEN] = now


def seconds_left(request: HttpRequest) -> int:
    """Seconds until the session ends (idle or absolute, whichever comes first)."""
    now = time.time()
    started = float(request.session.get(SESSION_STARTED, now))
    seen = float(request.session.get(SESSION_SEEN, now))
    idle_left = settings.SESSION_IDLE_SECONDS - (now - seen)
    absolute_left = settings.SESSION_ABSOLUTE_SECONDS - (now - started)
    return max(0, int(min(idle_left, absolute_left)))


class AccountGateMiddleware:
    """Until a log-in is complete (the second factor given, a required authenticator set up,
    a temporary password replaced), the session reaches only the page of that step."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not sends_bearer_token(request):
            step = steps.pending_step(request)
            if step is not None and request.path_info not in steps.allowed_paths(step):
                return self._refuse(request, step)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, step: steps.Step) -> HttpResponse:
        target = f"{reverse(step.url_name)}?{urlencode({'next': request.get_full_path()})}"
        if wants_json(request):
            return json_refusal(request, step.message, 403, next_step=target)
        if is_htmx(request):
            response = HttpResponse(step.message, status=403, content_type="text/plain")
            response["HX-Redirect"] = target
            return response
        if request.method != "GET":
            target = reverse(step.url_name)
        return HttpResponseRedirect(target)
