"""FHIR over HTTP: the JSON media type, OperationOutcome errors, and who is calling.

Callers authenticate as on ``/api/v1``: an API token (``Authorization: Bearer cs_…``,
checked by ``api.middleware.ApiTokenMiddleware``) or the log-in session. A session's
unsafe requests need the CSRF token, exactly as forms do; a token's do not (no cookie).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from chairside.tenancy.roles import Perm, has_perm

FHIR_JSON = "application/fhir+json"


class FhirError(Exception):
    """Answered as an OperationOutcome with this HTTP status."""

    def __init__(
        self, status: int, message: str, *, code: str = "invalid", issues: list[Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.issues = issues or [(message, code, None)]


def respond(body: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def outcome(issues: list[tuple[str, str, str | None]], severity: str = "error") -> dict[str, Any]:
    """issues: (text a person can act on, FHIR issue type, FHIRPath of the element)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": severity,
                "code": code,
                "diagnostics": text,
                **({"expression": [where]} if where else {}),
            }
            for text, code, where in issues
        ],
    }


def error_response(exc: FhirError) -> HttpResponse:
    response = respond(outcome(exc.issues), exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="chairside"'
    return response


def caller(request: HttpRequest, perm: Perm) -> Any:
    """The active membership of the caller, or a 401/403 FhirError."""
    membership = getattr(request, "membership", None)
    if membership is None or not request.user.is_authenticated:
        raise FhirError(
            401,
            "Log in, or send an API token: Authorization: Bearer cs_…",
            code="login",
        )
    if not has_perm(membership.role, perm):
        raise FhirError(403, "Your role does not allow this.", code="forbidden")
    return membership


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def check_csrf(request: HttpRequest) -> None:
    """Sessions need the CSRF token for writes; token calls carry no cookie and need none."""
    if getattr(request, "api_token", None) is not None:
        return
    refused = CsrfViewMiddleware(_ok).process_view(request, _ok, (), {})
    if refused is not None:
        raise FhirError(
            403, "CSRF check failed: send the CSRF token with a session.", code="forbidden"
        )


def read_json(request: HttpRequest) -> dict[str, Any]:
    kind = request.content_type or ""
    if kind not in (FHIR_JSON, "application/json"):
        raise FhirError(
            415,
            f"Send {FHIR_JSON} (or application/json), not {kind or 'nothing'}.",
            code="not-supported",
        )
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise FhirError(400, "The body is not valid JSON.", code="structure") from None
    if not isinstance(body, dict) or "resourceType" not in body:
        raise FhirError(400, "The body is not a FHIR resource (no resourceType).", code="structure")
    return body
