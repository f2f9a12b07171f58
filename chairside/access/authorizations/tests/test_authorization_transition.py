from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.access.authorizations import services
from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from chairside.rules.access import authorization_states as states
from tests import factories as f
from tests.assertions import assert_no_db_changes
from tests.factories import someone


@pytest.fixture
def auth(org: Any) -> PriorAuthorization:
    order = rf.make_order(rf.covered_patient(org))
    rf.verify_benefits(order, None)
    a = order.authorizations.get()
    return services.authorization_transition(
        authorization=a, user=None, to_status=states.SUBMITTED, on_date=dt.date(2026, 1, 6)
    )


def approve(auth: PriorAuthorization, **kw: Any) -> PriorAuthorization:
    details: dict[str, Any] = {
        "authorization_number": "PA-9",
        "start_on": dt.date(2026, 1, 8),
        "end_on": dt.date(2026, 7, 7),
        "units_authorized": 200,
        "visits_authorized": 4,
    }
    details.update(kw)
    return services.authorization_transition(
        authorization=auth,
        user=None,
        to_status=states.APPROVED,
        on_date=dt.date(2026, 1, 7),
        **details,
    )


class TestAuthorizationTransition:
    def test_it_approves_with_number_dates_units_and_visits(self, auth: Any) -> None:
        approved = approve(auth)
        assert (approved.status, approved.decided_on) == ("approved", dt.date(2026, 1, 7))
        event = AuditEvent.objects.filter(object_id=auth.public_id, action="state").latest("at")
        assert event.changes["status"] == ["submitted", "approved"]

    def test_an_approval_needs_the_authorization_number(self, auth: Any) -> None:
        with pytest.raises(ValidationError, match="authorization number"):
            approve(auth, authorization_number="")
        assert PriorAuthorization.objects.get(pk=auth.pk).status == "submitted"

    def test_it_refuses_an_end_date_before_the_start(self, auth: Any) -> None:
        with pytest.raises(ValidationError, match="end date is before the start"):
            approve(auth, start_on=dt.date(2026, 6, 1), end_on=dt.date(2026, 1, 1))

    @pytest.mark.parametrize("units", [-100, 0])
    def test_it_refuses_negative_or_zero_units(self, auth: Any, units: int) -> None:
        with pytest.raises(ValidationError, match="at least 1"):
            approve(auth, units_authorized=units)
        assert PriorAuthorization.objects.get(pk=auth.pk).units_authorized is None

    def test_it_refuses_an_approval_overlapping_another_for_the_same_order(self, auth: Any) -> None:
        approve(auth)
        second = services.authorization_open(
            order=auth.order, coverage=auth.coverage, user=someone()
        )
        services.authorization_transition(
            authorization=second, user=None, to_status=states.SUBMITTED
        )
        with pytest.raises(ValidationError, match="overlap authorization PA-9"):
            approve(
                second,
                authorization_number="PA-10",
                start_on=dt.date(2026, 7, 1),
                end_on=dt.date(2026, 12, 31),
            )
        approve(
            second,
            authorization_number="PA-10",
            start_on=dt.date(2026, 7, 8),
            end_on=dt.date(2026, 12, 31),
        )

    def test_a_denial_records_the_reason_and_the_appeal_deadline(self, auth: Any) -> None:
        with pytest.raises(ValidationError, match="Give a reason"):
            services.authorization_transition(
                authorization=auth, user=None, to_status=states.DENIED
            )
        with pytest.raises(ValidationError, match="appeal deadline"):
            services.authorization_transition(
                authorization=auth, user=None, to_status=states.DENIED, reason="Step therapy"
            )
        with pytest.raises(ValidationError, match="before the denial date"):
            services.authorization_transition(
                authorization=auth,
                user=None,
                to_status=states.DENIED,
                on_date=dt.date(2026, 2, 10),
                reason="Step therapy",
                appeal_deadline=dt.date(2026, 2, 9),
            )
        auth.refresh_from_db()
        assert auth.status == states.SUBMITTED
        denied = services.authorization_transition(
            authorization=auth,
            user=None,
            to_status=states.DENIED,
            on_date=dt.date(2026, 6, 1),
            reason="Step therapy",
            appeal_deadline=dt.date(2026, 7, 1),
        )
        assert (denied.denial_reason, denied.appeal_deadline) == (
            "Step therapy",
            dt.date(2026, 7, 1),
        )
        appealed = services.authorization_transition(
            authorization=denied,
            user=None,
            to_status=states.APPEAL_SUBMITTED,
            on_date=dt.date(2026, 6, 15),
        )
        assert appealed.submitted_on == dt.date(2026, 6, 15)
        won = services.authorization_transition(
            authorization=appealed,
            user=None,
            to_status=states.APPROVED,
            on_date=dt.date(2026, 7, 20),
            authorization_number="PA-APPEAL-1",
            start_on=dt.date(2026, 7, 20),
            end_on=dt.date(2027, 1, 19),
        )
        assert won.decided_on == dt.date(2026, 7, 20)  # the appeal's decision, not the denial's

    def test_expired_approvals_are_marked_expired(self, org: Any, auth: Any) -> None:
        approve(auth)
        assert services.authorizations_expire(organization=org, today=dt.date(2026, 7, 8)) == 1
        assert PriorAuthorization.objects.get(pk=auth.pk).status == "expired"


class TestAuthorizationPages:
    def test_a_coordinator_approves_through_the_page(
        self, auth: Any, coordinator_client: Any
    ) -> None:
        url = reverse("authorizations:transition", args=[auth.public_id])
        data = {
            "to_status": "approved",
            "on_date": "2026-01-07",
            "authorization_number": "PA-77",
            "start_on": "2026-01-08",
            "end_on": "2026-07-07",
            "units_authorized": "200",
            "visits_authorized": "4",
        }
        response = coordinator_client.post(url, data)
        assert response.status_code == 302
        auth.refresh_from_db()
        assert (auth.status, auth.authorization_number, auth.units_authorized) == (
            "approved",
            "PA-77",
            200,
        )
        page = coordinator_client.get(reverse("authorizations:detail", args=[auth.public_id]))
        # The history names the statuses as the page does; a new document is a payer letter.
        assert b"01/07/2026 \xe2\x86\x92 <b>Approved</b>" in page.content
        assert b'<option value="payer" selected>' in page.content

    def test_negative_units_are_refused_with_a_message(
        self, auth: Any, coordinator_client: Any
    ) -> None:
        url = reverse("authorizations:transition", args=[auth.public_id])
        data = {
            "to_status": "approved",
            "authorization_number": "PA-77",
            "start_on": "2026-01-08",
            "end_on": "2026-07-07",
            "units_authorized": "-5",
        }
        response = coordinator_client.post(url, data)
        assert response.status_code == 400
        assert b"at least 1" in response.content
        auth.refresh_from_db()
        assert auth.status == "submitted"

    def test_the_page_offers_only_the_allowed_moves(
        self, auth: Any, coordinator_client: Any
    ) -> None:
        page = coordinator_client.get(reverse("authorizations:detail", args=[auth.public_id]))
        assert b"Mark approved" in page.content
        assert b"Mark submitted" not in page.content

    def test_it_is_404_for_another_organization(
        self, other_org: Any, coordinator_client: Any
    ) -> None:
        order = rf.make_order(rf.covered_patient(other_org))
        rf.verify_benefits(order, None)
        foreign = order.authorizations.get()
        for name in ("authorizations:detail", "authorizations:edit"):
            assert (
                coordinator_client.get(reverse(name, args=[foreign.public_id])).status_code == 404
            )
        with assert_no_db_changes(PriorAuthorization, AuditEvent):
            for name in ("authorizations:transition", "authorizations:renew"):
                assert (
                    coordinator_client.post(
                        reverse(name, args=[foreign.public_id]), {"to_status": "submitted"}
                    ).status_code
                    == 404
                )

    @pytest.mark.parametrize("role", ["nurse", "biller", "auditor", "pharmacist", "provider"])
    def test_only_access_roles_move_authorizations(self, org: Any, auth: Any, role: str) -> None:
        client = f.login(f.make_user(org, role))
        assert (
            client.get(reverse("authorizations:detail", args=[auth.public_id])).status_code == 200
        )
        url = reverse("authorizations:transition", args=[auth.public_id])
        assert client.post(url, {"to_status": "more_info"}).status_code == 403
        auth.refresh_from_db()
        assert auth.status == "submitted"


class TestExpireCommand:
    def test_it_expires_what_has_ended_and_says_how_many(self, org: Any, auth: Any) -> None:
        from io import StringIO

        from django.core.management import call_command

        approve(auth, end_on=dt.date(2026, 2, 1))
        out = StringIO()
        call_command("expireauthorizations", stdout=out)
        assert out.getvalue().strip() == "1 authorization marked expired."
        assert PriorAuthorization.objects.get(pk=auth.pk).status == "expired"
