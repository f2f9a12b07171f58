"""API and FHIR calls with ``Authorization: Bearer <token>``: the token's identity becomes the
request's user, membership and organization before the read-audit middleware runs, so a
token's reads are audited as that identity and scoped like a session's."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from chairside.api.throttle import token_rate_check
from chairside.api.tokens import token_authenticate
from chairside.rules.common.api_tokens import bearer

API_PATHS = ("/api/", "/fhir/")  # the REST API and the FHIR R4 facade


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if not header or not request.path_info.startswith(API_PATHS):
            return self.get_response(request)
        text = bearer(header)
        if text is None:
            return self.get_response(request)  # another scheme: the session decides
        identity = token_authenticate(text)
        if isinstance(identity, str):
            response = JsonResponse(_refusal(request, identity), status=401)
            response["WWW-Authenticate"] = 'Bearer realm="chairside"'
            return response
        verdict = token_rate_check(identity.token.public_id)
        if not verdict.allowed:
            return _too_many(request, verdict.limit, verdict.retry_after)
        request.user = identity.user
        request.membership = identity.membership  # type: ignore[attr-defined]
        request.organization = identity.membership.organization  # type: ignore[attr-defined]
        request.api_token = identity.token  # type: ignore[attr-defined]
        return self.get_response(request)


def _too_many(request: HttpRequest, limit: int, retry_after: int) -> HttpResponse:
    message = (
        f"This API token made more than {limit} requests in a minute: "
        f"wait {retry_after} seconds and try again."
    )
    body = _refusal(request, message, code="throttled")
    response = JsonResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _refusal(request: HttpRequest, reason: str, code: str = "login") -> dict[str, object]:
    """The API's ``{"detail": …}``, or for a FHIR client the OperationOutcome it expects."""
    if request.path_info.startswith("/fhir/"):
        issue = {"severity": "error", "code": code, "diagnostics": reason}
        return {"resourceType": "OperationOutcome", "issue": [issue]}
    return {"detail": reason}
