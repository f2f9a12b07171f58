"""The referring-provider directory."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from chairside.access.referrals import selectors, services
from chairside.access.referrals.forms import ProviderForm
from chairside.access.referrals.views._util import redirect_next, status_for
from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.core.forms_util import submit_form
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm

PROVIDERS_CSV = export_columns(
    "referrals:providers",
    "referring-providers.csv",
    "Referring providers",
    [
        ("last_name", lambda p: p.last_name),
        ("first_name", lambda p: p.first_name),
        ("credential", lambda p: p.credential),
        ("specialty", lambda p: p.specialty),
        ("npi", lambda p: p.npi),
        ("practice", lambda p: p.practice_name),
        ("phone", lambda p: p.phone),
        ("fax", lambda p: p.fax),
        ("email", lambda p: p.email),
        ("reports_by", lambda p: p.get_report_preference_display()),
        ("ours", lambda p: p.is_internal),
        ("active", lambda p: p.is_active),
    ],
)


@require_perm(Perm.PATIENT_VIEW)
def provider_list(request: OrgRequest) -> HttpResponse:
    found = selectors.providers(
        organization=request.organization, include_inactive=request.GET.get("all") == "1"
    )
    if wants_csv(request):
        return csv_response(request, PROVIDERS_CSV, found)
    context = {"providers": found, "can_edit": can(request, Perm.ACCESS_EDIT)}
    return render(request, "referrals/provider_list.html", context)


@require_perm(Perm.ACCESS_EDIT)
def provider_edit(request: OrgRequest, public_id: str | None = None) -> HttpResponse:
    provider = (
        selectors.access_provider(organization=request.organization, public_id=public_id)
        if public_id
        else None
    )
    form = ProviderForm(request.POST or None, instance=provider)
    return submit_form(
        request,
        form,
        save=lambda data: services.provider_save(
            organization=request.organization, user=request.user, provider=provider, **data
        ),
        message=lambda saved: f"{saved} saved.",
        done=lambda _: redirect_next(request, "referrals:providers"),
        template="referrals/provider_form.html",
        context={"provider": provider},
    )
    context = {"form": form, "provider": provider}
    return render(request, "referrals/provider_form.html", context, status=status_for(request))
