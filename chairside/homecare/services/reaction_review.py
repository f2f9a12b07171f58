"""A grade 2+ infusion reaction in the home reaches the people who act on it.

At the chair a grade 3 reaction alerts the supervising provider on site
(``treatments.VisitAlert``). In the home the nurse is alone with the patient and calls the
prescriber herself; the pharmacy's pharmacist, nurses and coordinator then review every
grade 2 or higher reaction (CTCAE: "interruption indicated") from the Today page — the
dose, the premedication, whether the next delivery or visit must change — and mark it
reviewed, with a note, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.services import audited_update
from chairside.core.actors import acting_user
from chairside.homecare.models import HomeReaction
from chairside.homecare.selectors import REVIEW_FROM_GRADE
from chairside.tenancy.models import Organization
from chairside.treatments.services._common import person_name

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOTE_MAX = 255  # HomeReaction.review_note


@transaction.atomic
def home_reaction_review(
    *, organization: Organization, reaction: HomeReaction, user: User, note: str = ""
) -> HomeReaction:
    """Mark a grade 2+ home reaction reviewed (who, when, an optional note), audited.
    Reviewing it again changes nothing."""
    current = (
        HomeReaction.objects.select_for_update(of=("self",))
        .select_related("home_visit__patient", "home_visit__organization")
        .get(pk=reaction.pk)
    )
    visit = current.home_visit
    if visit.organization_id != organization.pk:
        raise ValidationError("That reaction belongs to another organization.")
    if current.grade < REVIEW_FROM_GRADE:
        raise ValidationError(f"Only grade {REVIEW_FROM_GRADE} or higher reactions are reviewed.")
    if current.reviewed_at is not None:
        return current
    if len(note.strip()) > NOTE_MAX:
        raise ValidationError({"review_note": f"Keep the note to {NOTE_MAX} characters."})
    audited_update(
        instance=current,
        user=user,
        data={
            "reviewed_at": timezone.now(),
            "reviewed_by": acting_user(user),
            "reviewed_by_name": person_name(user, organization),
            "review_note": note.strip(),
        },
        fields=["reviewed_at", "reviewed_by", "reviewed_by_name", "review_note"],
        organization=organization,
        patient=visit.patient,
    )
    return current
