"""Today-page cards: the count of each patient-access work queue."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from chairside.access.authorizations.queues import QUEUES, queue_counts
from chairside.access.referrals.models import Referral
from chairside.rules.access import referral_states
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm
from chairside.tenancy.today import Card, register_today_cards

# Labs due concern the nurses as much as the coordinators.
CLINICAL_QUEUES = {"labs-due"}


@register_today_cards
def access_cards(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    if organization is None:
        return []
    access, clinical = can(request, Perm.ACCESS_EDIT), can(request, Perm.CLINICAL_EDIT)
    today = timezone.localdate()
    cards = []
    if access:
        # The way into the referral list (the "Access" navigation entry leads to the queues).
        open_referrals = Referral.objects.filter(
            organization=organization, state__in=referral_states.OPEN_STATES
        ).count()
        cards.append(
            Card(
                title="Open referrals",
                count=open_referrals,
                url=reverse("referrals:list"),
                hint="From received to scheduled",
                order=199,
            )
        )
    shown = [q for q in QUEUES if access or (clinical and q.key in CLINICAL_QUEUES)]
    counts = queue_counts(organization, today, [q.key for q in shown])
    for queue in shown:
        count = counts[queue.key]
        cards.append(
            Card(
                title=queue.title,
                count=count,
                url=reverse("authorizations:queue", args=[queue.key]),
                tone="warn" if count else "good",
                order=200 + queue.order,
            )
        )
    return cards
