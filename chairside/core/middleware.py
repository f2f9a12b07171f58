"""Response headers every page carries, and text no database column can hold refused
before any view sees it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY on every response that has none of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy: str = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


NUL_REFUSED = "Text may not contain NUL (0x00) characters."


def _has_nul(request: HttpRequest) -> bool:
    if any("\x00" in text for key, values in request.GET.lists() for text in [key, *values]):
        return True
    content_type = request.content_type or ""
    if request.method in {"POST", "PUT", "PATCH"} and (
        content_type in {"application/json", "application/x-www-form-urlencoded"}
    ):
        body = request.body
        # JSON spells NUL as \u0000; a form body as %00 (or a raw byte).
        return b"\\u0000" in body or b"%00" in body or b"\x00" in body
    return False


class RefuseNulMiddleware:
    """PostgreSQL cannot store NUL in text (SQLite can, so the bug hides in development):
    a NUL in a query string or a JSON/form body answers 400 instead of a server error.
    Django's form fields refuse NUL too; this covers the API and plain ``GET`` parameters.
    Uploaded files (multipart) are not inspected."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_REFUSED}, status=400)
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
