"""Today cards: the coordinator's day of home-care stops, the nurse's own route, and the
grade 2+ home reactions the pharmacy has not reviewed yet."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from chairside.homecare import selectors
from chairside.homecare.models import DeliveryTicket, HomeVisit
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm, Role
from chairside.tenancy.today import Card, register_today_cards

# Who acts on a home reaction: the pharmacist (dose, premedication), the nurses and the
# coordinator (the next visit and delivery); administrators see what they see.
REACTION_REVIEWERS = frozenset({Role.PHARMACIST, Role.NURSE, Role.COORDINATOR, Role.ADMIN})


@register_today_cards
def home_reaction_cards(request: HttpRequest) -> list[Card]:
    """ "Home reactions to review": shown to the reviewers of an organization with a
    home-infusion location (always to its pharmacists, to the others when there is one)."""
    organization = getattr(request, "organization", None)
    membership = getattr(request, "membership", None)
    if organization is None or membership is None or membership.role not in REACTION_REVIEWERS:
        return []
    if (
        not can(request, Perm.HOMECARE_EDIT)
        or not selectors.home_locations(organization=organization).exists()
    ):
        return []
    count = selectors.reactions_to_review(organization=organization).count()
    if not count and membership.role != Role.PHARMACIST:
        return []
    return [
        Card(
            title="Home reactions to review",
            count=count,
            url=reverse("homecare:reactions"),
            hint="Grade 2+ infusion reactions in the home" if count else "None to review",
            tone="bad" if count else "good",
            perm=Perm.HOMECARE_EDIT,
            order=6,
        )
    ]


@register_today_cards
def homecare_cards(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    membership = getattr(request, "membership", None)
    if organization is None or membership is None or not can(request, Perm.SCHEDULE_VIEW):
        return []
    places = list(selectors.home_locations(organization=organization))
    if not places:
        return []
    today = timezone.localdate()
    if selectors.sees_only_own(membership.role):
        user = request.user
        staff = (
            selectors.staff_of(organization=organization, user=user)
            if user.is_authenticated
            else None
        )
        if staff is None:
            return []
        stops = selectors.own_route(organization=organization, staff=staff, date=today)
        return [
            Card(
                title="My home-care route today",
                count=len(stops),
                url=reverse("homecare:my_route"),
                hint="Stops in the order of the accepted plan" if stops else "No stops today",
                perm=Perm.SCHEDULE_VIEW,
                order=140,
            )
        ]
    deliveries = DeliveryTicket.objects.filter(
        organization=organization, location__in=places, date=today
    ).exclude(status=DeliveryTicket.Status.CANCELLED)
    visits = HomeVisit.objects.filter(
        organization=organization, location__in=places, date=today
    ).exclude(status=HomeVisit.Status.CANCELLED)
    unplanned = (
        deliveries.filter(planned_at__isnull=True).count()
        # a visit at the pharmacy's own infusion suite is never on a driving route
        + visits.filter(planned_at__isnull=True).exclude(setting=HomeVisit.Setting.SUITE).count()
    )
    return [
        Card(
            title="Home-care stops today",
            count=deliveries.count() + visits.count(),
            url=reverse("homecare:day"),
            hint=f"{unplanned} not on an accepted route" if unplanned else "All on a route",
            tone="warn" if unplanned else "good",
            perm=Perm.SCHEDULE_VIEW,
            order=145,
        )
    ]
