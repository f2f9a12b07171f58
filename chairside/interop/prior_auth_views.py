"""Pages for electronic prior authorization: prepare the X12 278, read the payer's 278
response and confirm the change it proposes, download the Da Vinci PAS request Bundle."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.authorizations.selectors import access_authorization
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.core.forms_util import add_service_errors
from chairside.fhir.pas import PasBundleError, audit_export, pas_request_bundle
from chairside.interop import prior_auth
from chairside.rules.access.authorization_states import AUTHORIZATION
from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.roles import Perm

DATE = forms.DateInput(attrs={"type": "date"})


class RequestForm(forms.Form):
    start_on = forms.DateField(label="First service date", widget=DATE)
    end_on = forms.DateField(label="Last service date", widget=DATE)
    units = forms.IntegerField(
        label="Billing units requested",
        min_value=1,
        max_value=99999,
        help_text="HCPCS billing units for all the doses in these dates (SV104).",
    )
    visits = forms.IntegerField(
        label="Visits requested", min_value=1, max_value=999, help_text="Infusions (HSD02)."
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start_on"), data.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", "The last service date is before the first.")
        return data


class ResponseForm(forms.Form):
    file = forms.FileField(label="278 response file", required=False)
    text = forms.CharField(
        label="…or paste its text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
    )

    def content(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            raw = upload.read(prior_auth.MAX_RESPONSE_BYTES + 1)
            try:
                return str(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise ValidationError("The file is not text: upload the 278 as sent.") from None
        return str(self.cleaned_data.get("text") or "")


class ConfirmForm(forms.Form):
    text = forms.CharField(widget=forms.HiddenInput)
    appeal_deadline = forms.DateField(
        label="Appeal deadline (from the denial letter)", required=False, widget=DATE
    )


def _auth(request: OrgRequest, public_id: str) -> PriorAuthorization:
    return access_authorization(organization=request.organization, public_id=public_id)


@require_perm(Perm.ACCESS_EDIT)
def prepare_278(request: OrgRequest, public_id: str) -> HttpResponse:
    auth = _auth(request, public_id)
    defaults = prior_auth.requested_defaults(auth, timezone.localdate())
    form = RequestForm(
        request.POST or None,
        initial={
            "start_on": defaults.start_on,
            "end_on": defaults.end_on,
            "units": defaults.units,
            "visits": defaults.visits,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            exchange = prior_auth.prior_auth_278_prepare(
                authorization=auth,
                user=request.user,
                requested=prior_auth.Requested(
                    form.cleaned_data["start_on"],
                    form.cleaned_data["end_on"],
                    form.cleaned_data["units"],
                    form.cleaned_data["visits"],
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"278 request {exchange.reference} prepared: download it below."
            )
            return redirect("interop:prior_auth_278", public_id=auth.public_id)
    context = {"auth": auth, "form": form, "exchanges": prior_auth.exchanges(auth)}
    status = 400 if request.method == "POST" else 200
    return render(request, "interop/prior_auth_278.html", context, status=status)


@require_perm(Perm.ACCESS_EDIT)
def download_278(request: OrgRequest, public_id: str) -> HttpResponse:
    exchange = prior_auth.access_exchange(organization=request.organization, public_id=public_id)
    audit_record(
        action=AuditEvent.Action.EXPORT,
        user=request.user,
        organization=request.organization,
        obj=exchange.authorization,
        patient=exchange.authorization.patient,
        changes={"x12_278_download": [None, exchange.reference]},
    )
    response = HttpResponse(exchange.content, content_type="application/edi-x12; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="278-{exchange.reference}.x12"'
    return response


@require_perm(Perm.ACCESS_EDIT)
def read_278(request: OrgRequest, public_id: str) -> HttpResponse:
    """Upload or paste the response: shown as the change it proposes, nothing saved."""
    auth = _auth(request, public_id)
    form = ResponseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = form.content()
            read = prior_auth.read_278_response(authorization=auth, text=text)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            confirm = ConfirmForm(initial={"text": text})
            context = {"auth": auth, "read": read, "confirm": confirm, "steps": _steps(read)}
            return render(request, "interop/prior_auth_confirm.html", context)
    context = {"auth": auth, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "interop/prior_auth_read.html", context, status=status)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def confirm_278(request: OrgRequest, public_id: str) -> HttpResponse:
    auth = _auth(request, public_id)
    confirm = ConfirmForm(request.POST)
    if confirm.is_valid():
        try:
            updated = prior_auth.prior_auth_278_confirm(
                authorization=auth,
                user=request.user,
                text=confirm.cleaned_data["text"],
                appeal_deadline=confirm.cleaned_data["appeal_deadline"],
            )
        except ValidationError as exc:
            add_service_errors(confirm, exc)
        else:
            messages.success(
                request, f"The payer's 278 response is recorded: {updated.status_label.lower()}."
            )
            return redirect("authorizations:detail", public_id=auth.public_id)
    read = None
    try:
        read = prior_auth.read_278_response(authorization=auth, text=request.POST.get("text", ""))
    except ValidationError as exc:
        add_service_errors(confirm, exc)
    context = {"auth": auth, "read": read, "confirm": confirm, "steps": _steps(read)}
    return render(request, "interop/prior_auth_confirm.html", context, status=400)


def _steps(read: prior_auth.ReadResponse | None) -> list[str]:
    return [AUTHORIZATION.label(s) for s in read.proposal.steps] if read is not None else []


@require_perm(Perm.ACCESS_EDIT)
def pas_bundle(request: OrgRequest, public_id: str) -> HttpResponse:
    auth = _auth(request, public_id)
    requested = prior_auth.requested_defaults(auth, timezone.localdate())
    base = request.build_absolute_uri(reverse("fhir:system"))
    try:
        bundle = pas_request_bundle(auth, requested, base)
    except PasBundleError as exc:
        messages.error(request, str(exc))
        return redirect("authorizations:detail", public_id=auth.public_id)
    audit_export(auth, request.user, bundle)
    response = HttpResponse(json.dumps(bundle, indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="pas-{auth.public_id}.json"'
    return response


def authorization_links(authorization: object, can_edit: bool) -> list[tuple[str, str, str]]:
    """The authorization page's links here (registered in InteropConfig.ready)."""
    if not can_edit:
        return []
    pid = authorization.public_id  # type: ignore[attr-defined]
    return [
        (
            "Prepare X12 278",
            reverse("interop:prior_auth_278", args=[pid]),
            "The request file for the payer or clearinghouse (005010X217).",
        ),
        (
            "Read 278 response",
            reverse("interop:prior_auth_read", args=[pid]),
            "Upload or paste the payer's answer; you confirm before anything changes.",
        ),
        (
            "Download Da Vinci PAS Bundle",
            reverse("interop:prior_auth_pas", args=[pid]),
            "The same request as FHIR (PAS request Bundle, STU 2).",
        ),
    ]
