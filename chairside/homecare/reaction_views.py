"""Home reactions to review: the grade 2+ reactions in patients' homes, for the pharmacist,
nurses and coordinator to review (``services.home_reaction_review``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chairside.homecare import selectors, services
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm


@require_perm(Perm.HOMECARE_VIEW)
def reactions(request: OrgRequest) -> HttpResponse:
    return _page(request)


def _page(request: OrgRequest, status: int = 200, error: str = "") -> HttpResponse:
    context = {
        "reactions": list(selectors.reactions_to_review(organization=request.organization)),
        "can_review": can(request, Perm.HOMECARE_EDIT),
        "can_open_visit": can(request, Perm.CLINICAL_EDIT),
        "from_grade": selectors.REVIEW_FROM_GRADE,
        "error": error,
        "active": "reactions",
    }
    return render(request, "homecare/reactions.html", context, status=status)


@require_POST
@require_perm(Perm.HOMECARE_EDIT)
def reaction_review(request: OrgRequest, public_id: str) -> HttpResponse:
    reaction = selectors.access_home_reaction(
        organization=request.organization, public_id=public_id
    )
    try:
        services.home_reaction_review(
            organization=request.organization,
            reaction=reaction,
            user=request.user,
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        return _page(request, status=400, error=" ".join(exc.messages))
    patient = reaction.home_visit.patient
    messages.success(request, f"Reviewed: {patient.full_name}'s grade {reaction.grade} reaction.")
    return redirect("homecare:reactions")
