"""Chairside API v1 (django-ninja). OpenAPI schema and docs at /api/docs.

Each part of Chairside keeps its router in its own ``api.py``; ROUTERS lists them, and a
part that is not installed is simply not mounted.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from chairside.api.auth import MemberSession

api = NinjaAPI(
    title="Chairside API",
    version="1",
    description="Every call is scoped to the caller's active organization; "
    "another organization's record answers 404.",
    urls_namespace="api",
    auth=MemberSession(),
)

# (URL prefix, app, module holding ``router``)
ROUTERS: list[tuple[str, str, str]] = [
    ("/v1/patients", "chairside.patients", "chairside.patients.api"),
    ("/v1/schedule", "chairside.scheduling", "chairside.scheduling.api"),
    ("/v1/access", "chairside.authorizations", "chairside.authorizations.api"),
    ("/v1/claims", "chairside.billing", "chairside.billing.api"),
]


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A service refused the input: 400 with the messages a coordinator would see."""
    errors: dict[str, Any] = (
        {field: list(msgs) for field, msgs in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": exc.messages}
    )
    detail = "; ".join(m for msgs in errors.values() for m in msgs)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


def mount_routers() -> None:
    for prefix, app, module in ROUTERS:
        if apps.is_installed(app):
            api.add_router(prefix, import_module(module).router)


mount_routers()
