"""Chairside API v1 (django-ninja). OpenAPI schema and docs at /api/docs.

Each part of Chairside keeps its router in its own ``api.py``; the root URLconf
(``chairside/urls.py``), which composes every app, mounts them on this API.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.openapi.docs import _csrf_needed

from chairside.api.auth import ApiTokenBearer, MemberSession


class VendoredSwagger(Swagger):
    """Swagger UI from Chairside's own static files (swagger-ui-dist from the npm registry,
    version in the folder name), never a CDN, and started without inline script."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, "api/swagger.html", context)


api = NinjaAPI(
    title="Chairside API",
    version="1",
    description="Every call is scoped to the caller's active organization; "
    "another organization's record answers 404. Log in (session cookie and CSRF token) or "
    "send an API token made under Account › API tokens: `Authorization: Bearer cs_…`.",
    urls_namespace="api",
    auth=[ApiTokenBearer(), MemberSession()],
    docs=VendoredSwagger(),
)


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
