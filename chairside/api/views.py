"""Account › API tokens: personal tokens for everyone, service tokens for administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chairside.api import tokens
from chairside.api.forms import PersonalTokenForm, ServiceTokenForm
from chairside.api.models import ApiToken
from chairside.core.forms_util import add_service_errors
from chairside.tenancy.access import OrgRequest, can
from chairside.tenancy.roles import Perm


def _member(request: OrgRequest) -> None:
    if getattr(request, "membership", None) is None:
        raise PermissionDenied("You are not a member of any organization.")


def _page(request: OrgRequest, status: int = 200, **extra: Any) -> HttpResponse:
    admin = can(request, Perm.SETTINGS_EDIT)
    found = tokens.tokens_for(organization=request.organization, user=request.user)
    context = {
        "personal": found["personal"],
        "service": found["service"] if admin else [],
        "can_manage_service": admin,
        "personal_form": extra.get("personal_form") or PersonalTokenForm(),
        "service_form": extra.get("service_form") or ServiceTokenForm() if admin else None,
        "shown_once": extra.get("shown_once"),
    }
    return render(request, "api/tokens.html", context, status=status)


@never_cache
@login_required
def token_list(request: OrgRequest) -> HttpResponse:
    _member(request)
    if request.method != "POST":
        return _page(request)
    service = request.POST.get("kind") == "service"
    if service and not can(request, Perm.SETTINGS_EDIT):
        raise PermissionDenied("Only administrators make service tokens.")
    # Not submit_form: a new token is shown once in this response, never redirected to.
    form: PersonalTokenForm = (ServiceTokenForm if service else PersonalTokenForm)(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if service:
                token, text = tokens.token_create_service(
                    organization=request.organization, user=request.user, **data
                )
            else:
                token, text = tokens.token_create_personal(
                    organization=request.organization, user=request.user, **data
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Shown in this response only: never stored, never put in a redirect or message.
            return _page(request, shown_once={"token": token, "text": text})
    key = "service_form" if service else "personal_form"
    return _page(request, status=400, **{key: form})


@require_POST
@login_required
def token_revoke(request: OrgRequest, public_id: str) -> HttpResponse:
    _member(request)
    token = tokens.access_token(organization=request.organization, public_id=public_id)
    mine = token.kind == ApiToken.Kind.PERSONAL and token.user_id == request.user.pk
    if not mine and not can(request, Perm.SETTINGS_EDIT):
        raise PermissionDenied("You may revoke only your own tokens.")
    tokens.token_revoke(token=token, user=request.user)
    messages.success(request, f"Revoked {token}. Calls with it now answer 401.")
    return redirect("api_tokens:list")
