"""Issue 13 item 9: an approval recorded after overridden bookings takes them over."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chairside.access.authorizations import services as access
from chairside.access.authorizations.models import AuthorizationUsage
from chairside.access.authorizations.selectors import usage_totals
from chairside.audit.models import AuditEvent
from chairside.rules.access import authorization_states as states
from chairside.scheduling import services
from chairside.scheduling.tests.factories import at
from tests import factories as f

LATER = dt.date(2026, 12, 22)  # dose 2 of infliximab's loading (week 2)


@pytest.fixture
def needs_auth(order: Any) -> Any:
    order.drug.prior_auth_usually_required = True
    order.drug.save()
    f.make_coverage(order.patient, f.make_payer(order.organization))
    return order


def _overridden(org: Any, user: Any, order: Any, chair: Any, start: dt.datetime) -> Any:
    appointment = services.appointment_book(
        organization=org,
        user=user,
        order=order,
        chair=chair,
        start=start,
        override_reason="Payer approved by phone, ref 7781; letter to follow",
    ).appointment
    assert appointment.authorization_override is not None
    return appointment


def _approve(order: Any, user: Any, end: dt.date, visits: int = 6) -> Any:
    auth = access.authorization_open(order=order, coverage=order.patient.coverages.get(), user=user)
    access.authorization_transition(
        authorization=auth, user=user, to_status=states.SUBMITTED, on_date=dt.date(2026, 12, 1)
    )
    return access.authorization_transition(
        authorization=auth,
        user=user,
        to_status=states.APPROVED,
        on_date=dt.date(2026, 12, 7),
        authorization_number="PA-7781",
        start_on=dt.date(2026, 12, 1),
        end_on=end,
        visits_authorized=visits,
        units_authorized=300,
    )


def test_the_approval_takes_over_the_overridden_bookings_in_its_dates(
    org: Any, coordinator: Any, needs_auth: Any, chairs: Any
) -> None:
    first = _overridden(org, coordinator, needs_auth, chairs["C01"], at("09:00"))
    second = _overridden(org, coordinator, needs_auth, chairs["C01"], at("09:00", LATER))
    auth = _approve(needs_auth, coordinator, end=dt.date(2026, 12, 15))

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.authorization == auth and first.authorization_override is None  # badge gone
    assert second.authorization is None and second.authorization_override is not None  # after
    usage = AuthorizationUsage.objects.get(source_id=str(first.public_id))
    assert usage.authorization == auth
    assert usage_totals(auth) == (1, usage.units)  # one visit and its units now count
    event = AuditEvent.objects.get(object_id=first.public_id, action="update")
    assert event.reason == "The approval arrived after the booking was overridden."
    assert "PA-7781" in str(event.changes)
    # The override itself stays on record.
    assert needs_auth.authorization_overrides.count() == 2

    # The payer extends the dates: the second booking is taken over too.
    access.authorization_update(authorization=auth, user=coordinator, end_on=dt.date(2027, 5, 31))
    second.refresh_from_db()
    assert second.authorization == auth and second.authorization_override is None
    assert usage_totals(auth)[0] == 2


def test_bookings_beyond_the_visits_approved_stay_overridden(
    org: Any, coordinator: Any, needs_auth: Any, chairs: Any
) -> None:
    first = _overridden(org, coordinator, needs_auth, chairs["C01"], at("09:00"))
    second = _overridden(org, coordinator, needs_auth, chairs["C01"], at("09:00", LATER))
    auth = _approve(needs_auth, coordinator, end=dt.date(2027, 5, 31), visits=1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.authorization == auth
    assert second.authorization_override is not None and second.authorization is None
    assert usage_totals(auth)[0] == 1


def test_the_board_panel_shows_the_authorization_instead_of_the_badge(
    org: Any, coordinator: Any, needs_auth: Any, chairs: Any
) -> None:
    from django.urls import reverse

    first = _overridden(org, coordinator, needs_auth, chairs["C01"], at("09:00"))
    client = f.login(coordinator)
    panel = reverse("scheduling:panel", args=[first.public_id])
    assert "Overridden" in client.get(panel).content.decode()
    _approve(needs_auth, coordinator, end=dt.date(2026, 12, 15))
    html = client.get(panel).content.decode()
    assert "Overridden" not in html
    assert "PA-7781" in html
