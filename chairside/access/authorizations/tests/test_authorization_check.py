"""The booking rule scheduling calls: check, reserve, release, consume, override."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from chairside.access.authorizations.models import AuthorizationUsage
from chairside.access.authorizations.services import (
    authorization_check,
    authorization_consume,
    authorization_override,
    authorization_release,
    authorization_reserve,
)
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from tests import factories as f

APPT = "scheduling.appointment"
DAY = dt.date(2026, 1, 12)


@pytest.fixture
def coordinator(org: Any) -> Any:
    return f.make_user(org, "coordinator")


@pytest.fixture
def order(org: Any, coordinator: Any) -> Any:
    order = rf.make_order(rf.covered_patient(org), "infliximab", "Crohn")
    rf.verify_benefits(order, coordinator)
    return order


def book(order: Any, user: Any, n: int, units: int = 35, day: dt.date = DAY, **kw: Any) -> Any:
    return authorization_reserve(
        order=order, on_date=day, units=units, source_type=APPT, source_id=f"a{n}", user=user, **kw
    )


class TestAuthorizationCheck:
    def test_it_refuses_a_date_no_approval_covers(self, order: Any) -> None:
        decision = authorization_check(order=order, on_date=dt.date(2026, 12, 3), units=35)
        assert not decision.ok
        assert decision.message.startswith("No approved authorization covers 12/03/2026")
        assert "to submit" in decision.message

    def test_it_names_the_approval_that_runs_on_other_dates(
        self, order: Any, coordinator: Any
    ) -> None:
        rf.approved_authorization(order, coordinator, number="A-1")
        decision = authorization_check(order=order, on_date=dt.date(2026, 12, 3), units=35)
        assert decision.message == (
            "No approved authorization covers 12/03/2026: A-1 runs 01/08/2026–07/07/2026."
        )

    def test_it_passes_inside_an_approval_and_says_what_is_left(
        self, order: Any, coordinator: Any
    ) -> None:
        auth = rf.approved_authorization(order, coordinator, visits=4, units=200)
        decision = authorization_check(order=order, on_date=DAY, units=35)
        assert decision.ok
        assert decision.authorization == auth
        assert decision.message == "Covered by authorization A-1: 4 visits left, 200 units left."

    def test_it_warns_when_only_one_visit_is_left(self, order: Any, coordinator: Any) -> None:
        rf.approved_authorization(order, coordinator, visits=2, units=None)
        book(order, coordinator, 1)
        decision = authorization_check(order=order, on_date=DAY, units=35)
        assert decision.ok
        assert "only 1 visit left" in decision.message

    def test_it_refuses_when_no_visit_is_left(self, order: Any, coordinator: Any) -> None:
        rf.approved_authorization(order, coordinator, visits=1, units=None)
        book(order, coordinator, 1)
        decision = authorization_check(order=order, on_date=DAY, units=35)
        assert not decision.ok
        assert decision.message == "No visits left on authorization A-1 (1 of 1 used)."

    def test_it_refuses_more_units_than_are_left(self, order: Any, coordinator: Any) -> None:
        rf.approved_authorization(order, coordinator, visits=None, units=400)
        book(order, coordinator, 1, units=300)
        decision = authorization_check(order=order, on_date=DAY, units=300)
        assert not decision.ok
        assert decision.message == "300 units requested, 100 left on authorization A-1."

    def test_it_needs_no_authorization_for_a_drug_that_usually_needs_none(self, org: Any) -> None:
        order = rf.make_order(rf.covered_patient(org), "zoledronic-acid", "Osteoporosis")
        decision = authorization_check(order=order, on_date=DAY, units=5)
        assert decision.ok and not decision.required
        assert decision.authorization is None

    def test_it_needs_none_when_the_payer_said_so(self, org: Any, coordinator: Any) -> None:
        order = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(order, coordinator, pa_required="no")
        decision = authorization_check(order=order, on_date=DAY, units=35)
        assert decision.ok and not decision.required
        assert "does not require prior authorization" in decision.message

    def test_it_rejects_negative_units(self, order: Any) -> None:
        with pytest.raises(ValueError, match="whole number of billing units"):
            authorization_check(order=order, on_date=DAY, units=-1)


class TestReserveReleaseConsume:
    def test_a_booking_reserves_and_a_cancellation_gives_it_back(
        self, order: Any, coordinator: Any
    ) -> None:
        auth = rf.approved_authorization(order, coordinator, visits=1, units=100)
        usage = book(order, coordinator, 1)
        assert usage.authorization == auth
        with pytest.raises(ValidationError, match="No visits left"):
            book(order, coordinator, 2)
        assert authorization_release(source_type=APPT, source_id="a1", user=coordinator)
        book(order, coordinator, 2)
        assert AuthorizationUsage.objects.filter(released_at__isnull=True).count() == 1

    def test_moving_a_booking_does_not_count_it_twice(self, order: Any, coordinator: Any) -> None:
        rf.approved_authorization(order, coordinator, visits=1, units=100)
        book(order, coordinator, 1)
        moved = book(order, coordinator, 1, day=dt.date(2026, 1, 14))
        assert moved.on_date == dt.date(2026, 1, 14)
        assert AuthorizationUsage.objects.count() == 1

    def test_a_documented_treatment_consumes_the_units_given(
        self, order: Any, coordinator: Any
    ) -> None:
        rf.approved_authorization(order, coordinator, visits=4, units=200)
        book(order, coordinator, 1, units=40)
        used = authorization_consume(source_type=APPT, source_id="a1", user=coordinator, units=35)
        assert (used.kind, used.units) == ("consumed", 35)
        assert authorization_check(order=order, on_date=DAY, units=0).units_left == 165

    def test_a_walk_in_treatment_is_counted_without_a_reservation(
        self, order: Any, coordinator: Any
    ) -> None:
        auth = rf.approved_authorization(order, coordinator)
        used = authorization_consume(
            source_type="treatments.visit",
            source_id="v1",
            user=coordinator,
            order=order,
            on_date=DAY,
            units=35,
        )
        assert used.authorization == auth

    def test_it_refuses_a_booking_without_approval_or_override(
        self, order: Any, coordinator: Any
    ) -> None:
        with pytest.raises(ValidationError, match="No approved authorization covers 01/12/2026"):
            book(order, coordinator, 1)
        assert not AuthorizationUsage.objects.exists()


class TestOverride:
    def test_a_coordinator_overrides_with_a_reason_and_it_is_audited(
        self, order: Any, coordinator: Any
    ) -> None:
        override = authorization_override(
            order=order, on_date=DAY, user=coordinator, reason="Payer approved by phone, ref 123"
        )
        assert override.missing.startswith("No approved authorization covers 01/12/2026")
        usage = book(order, coordinator, 1, override=override)
        assert usage.override == override and usage.authorization is None
        event = AuditEvent.objects.get(object_id=override.public_id)
        assert (event.action, event.reason) == ("override", "Payer approved by phone, ref 123")

    def test_an_override_needs_a_written_reason(self, order: Any, coordinator: Any) -> None:
        with pytest.raises(ValidationError, match="Write why"):
            authorization_override(order=order, on_date=DAY, user=coordinator, reason=" ")

    @pytest.mark.parametrize("role", ["nurse", "biller", "provider", "pharmacist", "auditor"])
    def test_only_an_administrator_or_coordinator_may_override(
        self, org: Any, order: Any, role: str
    ) -> None:
        with pytest.raises(PermissionDenied):
            authorization_override(
                order=order, on_date=DAY, user=f.make_user(org, role), reason="Urgent, approved"
            )

    def test_a_member_of_another_organization_may_not_override(
        self, other_org: Any, order: Any
    ) -> None:
        with pytest.raises(PermissionDenied):
            authorization_override(
                order=order, on_date=DAY, user=f.make_user(other_org, "admin"), reason="Urgent!"
            )

    def test_an_override_is_for_its_own_date(self, order: Any, coordinator: Any) -> None:
        override = authorization_override(
            order=order, on_date=DAY, user=coordinator, reason="Urgent"
        )
        with pytest.raises(ValidationError, match="another order or date"):
            book(order, coordinator, 1, day=dt.date(2026, 1, 13), override=override)


class TestReferralFollowsTheBookings:
    @time_machine.travel(dt.datetime(2026, 1, 12, 17, tzinfo=dt.UTC), tick=False)
    def test_the_first_booking_schedules_and_the_first_treatment_activates(
        self, org: Any, coordinator: Any
    ) -> None:
        from chairside.access.referrals import services as referrals

        patient = rf.covered_patient(org)
        referral = rf.make_referral(org, patient=patient, received_on=dt.date(2026, 1, 2))
        order = rf.make_order(patient, referral=referral)
        referrals.referral_transition(
            referral=referral,
            user=coordinator,
            to_state="intake_complete",
            on_date=dt.date(2026, 1, 5),
        )
        rf.verify_benefits(order, coordinator)
        rf.approved_authorization(order, coordinator)
        book(order, coordinator, 1)
        referral.refresh_from_db()
        assert referral.state == "scheduled"
        authorization_consume(source_type=APPT, source_id="a1", user=coordinator, units=35)
        referral.refresh_from_db()
        assert (referral.state, referral.state_changed_on) == ("active", DAY)
