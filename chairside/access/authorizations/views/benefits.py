"""Verifying benefits for an order's coverage."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.access.authorizations import selectors, services
from chairside.access.authorizations.forms import BenefitsForm
from chairside.access.authorizations.models import BenefitsInvestigation
from chairside.access.referrals.selectors import access_order
from chairside.core.forms_util import submit_form
from chairside.rules.billing.cost_share import MEDICARE_PART_B_DEDUCTIBLE
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm


@require_perm(Perm.PATIENT_VIEW)
def benefits(request: OrgRequest, public_id: str) -> HttpResponse:
    check = selectors.access_benefits(organization=request.organization, public_id=public_id)
    editable = can(request, Perm.ACCESS_EDIT)
    form = BenefitsForm(
        request.POST if editable and request.method == "POST" else None,
        instance=check,
        organization=request.organization,
        initial=_medicare_defaults(check),
    )
    # A POST by a role that cannot edit leaves the form unbound: refused (400), nothing saved.
    return submit_form(
        request,
        form,
        save=lambda data: services.benefits_verify(investigation=check, user=request.user, **data),
        message=f"Benefits with {check.coverage.payer} verified.",
        done=reverse("referrals:order", kwargs={"public_id": check.order.public_id}),
        template="authorizations/benefits_form.html",
        context={"check": check, "can_edit": editable},
    )


def _medicare_defaults(check: BenefitsInvestigation) -> dict[str, object]:
    """Original Medicare's deductible for the year and its 20% coinsurance, to start from."""
    if check.status != "pending" or check.coverage.payer.kind != "medicare_b":
        return {}
    year = timezone.localdate().year
    deductible = MEDICARE_PART_B_DEDUCTIBLE.get(year)
    return {"coinsurance_percent": 20, **({"deductible": deductible} if deductible else {})}


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def benefits_open(request: OrgRequest, order_id: str) -> HttpResponse:
    order = access_order(organization=request.organization, public_id=order_id)
    opened = services.benefits_open_for_order(order=order, user=request.user)
    messages.success(
        request,
        f"Opened {len(opened)} benefits check{'s' if len(opened) != 1 else ''}."
        if opened
        else "Every coverage already has a benefits check.",
    )
    return redirect("referrals:order", public_id=order.public_id)
