"""A prior authorization's page: status moves, details, documents, usage, renewal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chairside.access.authorizations import events, selectors, services
from chairside.access.authorizations.forms import (
    TRANSITION_HELP,
    AuthorizationDetailsForm,
    AuthorizationTransitionForm,
)
from chairside.access.authorizations.models import AuthorizationDocument
from chairside.access.referrals.forms import DocumentForm
from chairside.access.referrals.selectors import access_order
from chairside.access.referrals.views._util import serve_document
from chairside.core.forms_util import add_service_errors, submit_form
from chairside.patients.selectors import access_coverage
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm


@require_perm(Perm.PATIENT_VIEW)
def authorization_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    auth = selectors.access_authorization(organization=request.organization, public_id=public_id)
    visits, units = selectors.usage_totals(auth)
    moves = [
        (
            key,
            label,
            AuthorizationTransitionForm.FIELDS_BY_STATUS.get(key, ("on_date",)),
            # One form per move, each with its own element ids.
            AuthorizationTransitionForm(
                auto_id=f"{key}-%s", initial={"authorization_number": auth.authorization_number}
            ),
        )
        for key, label in auth.next_states()
    ]
    context = {
        "auth": auth,
        "moves": moves,
        "help": TRANSITION_HELP,
        "visits_used": visits,
        "units_used": units,
        "usage": selectors.live_usage(auth).order_by("on_date"),
        # The order's bookings allowed by an override that no approval has taken over.
        "still_overridden": selectors.still_overridden(auth),
        "document_form": DocumentForm(initial={"kind": AuthorizationDocument.Kind.PAYER}),
        "can_edit": can(request, Perm.ACCESS_EDIT),
        "electronic": events.authorization_links(auth, can(request, Perm.ACCESS_EDIT)),
    }
    return render(request, "authorizations/authorization_detail.html", context)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def authorization_transition(request: OrgRequest, public_id: str) -> HttpResponse:
    auth = selectors.access_authorization(organization=request.organization, public_id=public_id)
    form = AuthorizationTransitionForm(request.POST)
    visits_before = selectors.usage_totals(auth)[0]
    # Not submit_form: the success flashes a second message (bookings now counted).
    if form.is_valid():
        try:
            services.authorization_transition(
                authorization=auth,
                user=request.user,
                to_status=form.cleaned_data["to_status"],
                on_date=form.cleaned_data["on_date"],
                reason=form.cleaned_data["reason"] or "",
                **form.details(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            auth.refresh_from_db()
            messages.success(request, f"Authorization is now {auth.status_label.lower()}.")
            taken = selectors.usage_totals(auth)[0] - visits_before
            if taken > 0:
                messages.success(
                    request,
                    f"{taken} booking{'s' if taken != 1 else ''} made under an override "
                    f"now count{'s' if taken == 1 else ''} against this approval.",
                )
            return redirect("authorizations:detail", public_id=auth.public_id)
    context = {"auth": auth, "form": form, "help": TRANSITION_HELP}
    return render(request, "authorizations/transition_form.html", context, status=400)


@require_perm(Perm.ACCESS_EDIT)
def authorization_edit(request: OrgRequest, public_id: str) -> HttpResponse:
    auth = selectors.access_authorization(organization=request.organization, public_id=public_id)
    form = AuthorizationDetailsForm(request.POST or None, instance=auth)
    return submit_form(
        request,
        form,
        save=lambda data: services.authorization_update(
            authorization=auth, user=request.user, **data
        ),
        message="Authorization saved.",
        done=reverse("authorizations:detail", kwargs={"public_id": auth.public_id}),
        template="authorizations/authorization_form.html",
        context={"auth": auth},
    )


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def authorization_renew(request: OrgRequest, public_id: str) -> HttpResponse:
    auth = selectors.access_authorization(organization=request.organization, public_id=public_id)
    renewal = services.authorization_renew(authorization=auth, user=request.user)
    messages.success(request, "Renewal request opened: submit it to the payer.")
    return redirect("authorizations:detail", public_id=renewal.public_id)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def authorization_open(request: OrgRequest, order_id: str) -> HttpResponse:
    order = access_order(organization=request.organization, public_id=order_id)
    coverage = (
        access_coverage(patient=order.patient, public_id=request.POST["coverage"])
        if request.POST.get("coverage")
        else order.patient.coverages.order_by("order").first()
    )
    if coverage is None:
        messages.error(request, "Add the patient's coverage before requesting authorization.")
        return redirect("referrals:order", public_id=order.public_id)
    auth = services.authorization_open(order=order, coverage=coverage, user=request.user)
    return redirect("authorizations:detail", public_id=auth.public_id)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def authorization_document_add(request: OrgRequest, public_id: str) -> HttpResponse:
    auth = selectors.access_authorization(organization=request.organization, public_id=public_id)
    form = DocumentForm(request.POST, request.FILES)
    # Not submit_form: a refusal is flashed on the detail page, not a re-shown form.
    if form.is_valid():
        try:
            services.authorization_document_add(
                authorization=auth,
                user=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, "Document attached.")
    return redirect("authorizations:detail", public_id=auth.public_id)


@require_perm(Perm.PATIENT_VIEW)
def authorization_document(request: OrgRequest, public_id: str) -> HttpResponse:
    document = selectors.access_authorization_document(
        organization=request.organization, public_id=public_id
    )
    return serve_document(request, document, document.authorization.patient)
