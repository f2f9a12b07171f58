from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from chairside.access.authorizations import services
from chairside.access.authorizations.queues import QUEUES, QUEUES_BY_KEY, queue_rows
from chairside.access.referrals.tests import factories as rf
from chairside.patients.services import lab_result_record
from chairside.rules.access import authorization_states as states
from chairside.tenancy.models import StaffMember
from tests import factories as f
from tests.factories import someone

TODAY = dt.date(2026, 3, 2)
NOON = dt.datetime(2026, 3, 2, 17, tzinfo=dt.UTC)


def rows(key: str, org: Any, **kw: Any) -> list[Any]:
    """The queue's rows; unfiltered, also checks the Today page's count-only read agrees
    (so every scenario below checks its queue's count against its rows)."""
    found = queue_rows(QUEUES_BY_KEY[key], organization=org, today=TODAY, **kw)
    if not kw:
        assert QUEUES_BY_KEY[key].count(org, TODAY) == len(found), key
    return found


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def coordinator(org: Any) -> Any:
    return f.make_user(org, "coordinator")


class TestQueues:
    def test_a_new_referral_waits_for_intake(self, org: Any) -> None:
        referral = rf.make_referral(org, received_on=dt.date(2026, 2, 26))
        [row] = rows("intake", org)
        assert row.item == referral
        assert row.action_url == reverse("referrals:detail", args=[referral.public_id])
        assert "received 4 days ago" in row.detail

    def test_a_new_order_waits_for_its_benefits_check(self, org: Any) -> None:
        order = rf.make_order(rf.covered_patient(org))
        [row] = rows("benefits", org)
        assert row.item == rf.pending_benefits(order)

    def test_authorizations_to_submit_and_more_information(
        self, org: Any, coordinator: Any
    ) -> None:
        order = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(order, coordinator)
        auth = order.authorizations.get()
        assert [r.item for r in rows("to-submit", org)] == [auth]
        services.authorization_transition(
            authorization=auth, user=coordinator, to_status=states.SUBMITTED
        )
        assert rows("to-submit", org) == []
        services.authorization_transition(
            authorization=auth, user=coordinator, to_status=states.MORE_INFO, reason="Notes"
        )
        [row] = rows("to-submit", org)
        assert "more information" in row.detail

    def test_a_denial_waits_for_its_appeal_in_the_to_submit_queue(
        self, org: Any, coordinator: Any
    ) -> None:
        order = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(order, coordinator)
        auth = order.authorizations.get()
        services.authorization_transition(
            authorization=auth, user=coordinator, to_status=states.SUBMITTED
        )
        services.authorization_transition(
            authorization=auth,
            user=coordinator,
            to_status=states.DENIED,
            reason="Step therapy not documented",
            appeal_deadline=dt.date(2026, 3, 30),
        )
        [row] = rows("to-submit", org)
        assert row.detail == (
            "Denied 03/02/2026: appeal by 03/30/2026 (28 days left) — Step therapy not documented"
        )
        assert row.tone == "bad"
        services.authorization_transition(
            authorization=auth, user=coordinator, to_status=states.APPEAL_SUBMITTED
        )
        assert rows("to-submit", org) == []

    def test_a_denial_leaves_the_queue_once_a_new_request_is_opened(
        self, org: Any, coordinator: Any
    ) -> None:
        order = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(order, coordinator)
        auth = order.authorizations.get()
        services.authorization_transition(
            authorization=auth, user=coordinator, to_status=states.SUBMITTED
        )
        services.authorization_transition(
            authorization=auth,
            user=coordinator,
            to_status=states.DENIED,
            reason="Not covered",
            appeal_deadline=dt.date(2026, 3, 2),
        )
        with time_machine.travel(dt.datetime(2026, 3, 5, 17, tzinfo=dt.UTC), tick=False):
            late = queue_rows(
                QUEUES_BY_KEY["to-submit"], organization=org, today=dt.date(2026, 3, 5)
            )
        assert "(deadline passed)" in late[0].detail
        fresh = services.authorization_open(order=order, coverage=auth.coverage, user=coordinator)
        assert [r.item for r in rows("to-submit", org)] == [fresh]

    def test_submissions_waiting_more_than_5_days(self, org: Any, coordinator: Any) -> None:
        order = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(order, coordinator)
        auth = order.authorizations.get()
        auth = services.authorization_transition(
            authorization=auth,
            user=coordinator,
            to_status=states.SUBMITTED,
            on_date=dt.date(2026, 2, 25),
        )
        assert rows("pending", org) == []  # 5 days: not yet
        auth.submitted_on = dt.date(2026, 2, 24)
        auth.save()
        [row] = rows("pending", org)
        assert row.detail == "Submitted 02/24/2026, 6 days waiting"

    def test_approvals_ending_soon_or_with_fewer_than_2_visits(
        self, org: Any, coordinator: Any
    ) -> None:
        order = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(order, coordinator)
        rf.approved_authorization(order, coordinator, end=dt.date(2026, 3, 20), visits=8)
        [row] = rows("expiring", org)
        assert row.detail == "A-1: ends 03/20/2026"
        other = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(other, coordinator)
        auth = rf.approved_authorization(
            other, coordinator, end=dt.date(2026, 12, 31), visits=2, number="B-2"
        )
        services.authorization_consume(
            source_type="t",
            source_id="1",
            user=coordinator,
            order=other,
            on_date=dt.date(2026, 1, 12),
            units=35,
        )
        assert "B-2: 1 visit left" in [r.detail for r in rows("expiring", org)]
        services.authorization_renew(authorization=auth, user=coordinator)
        assert "B-2: 1 visit left" not in [r.detail for r in rows("expiring", org)]

    def test_an_approval_with_no_visit_left_comes_first_and_is_flagged(
        self, org: Any, coordinator: Any
    ) -> None:
        ending = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(ending, coordinator)
        rf.approved_authorization(ending, coordinator, end=dt.date(2026, 3, 25), number="E-1")
        used_up = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(used_up, coordinator)
        rf.approved_authorization(
            used_up, coordinator, end=dt.date(2026, 12, 31), visits=1, number="U-1"
        )
        services.authorization_consume(
            source_type="t",
            source_id="1",
            user=coordinator,
            order=used_up,
            on_date=dt.date(2026, 1, 12),
            units=35,
        )
        soon = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(soon, coordinator)
        rf.approved_authorization(soon, coordinator, end=dt.date(2026, 3, 6), number="S-1")
        found = rows("expiring", org)
        assert [(r.detail, r.tone) for r in found] == [
            ("S-1: ends 03/06/2026", "bad"),  # within a week
            ("U-1: 0 visits left", "bad"),  # the next booking is refused
            ("E-1: ends 03/25/2026", "warn"),
        ]

    def test_orders_expiring_within_30_days(self, org: Any) -> None:
        patient = rf.covered_patient(org)
        rf.make_order(patient, signed_on=dt.date(2025, 3, 20), first_dose_on=dt.date(2025, 3, 25))
        rf.make_order(patient, "vedolizumab")
        [row] = rows("orders-expiring", org)
        assert row.detail.startswith("Expires 03/20/2026")

    def test_labs_due_before_the_next_dose(self, org: Any) -> None:
        patient = rf.covered_patient(org)
        order = rf.make_order(patient, "natalizumab", first_dose_on=dt.date(2026, 1, 12))
        lab_result_record(
            patient=patient,
            user=someone(),
            lab_name="Anti-JCV antibody (with index)",
            result_on=dt.date(2025, 8, 1),
        )
        [row] = rows("labs-due", org)
        assert row.item == order
        assert "last 08/01/2025, due every 180 days" in row.detail
        assert "before the dose of 03/02/2026" in row.detail  # due today (not yet documented)

    def test_patients_due_for_a_dose_with_none_documented(self, org: Any, coordinator: Any) -> None:
        order = rf.make_order(
            rf.covered_patient(org), "natalizumab", first_dose_on=dt.date(2026, 1, 12)
        )
        for n, day in enumerate([dt.date(2026, 1, 12), dt.date(2026, 2, 9)]):
            services.authorization_consume(
                source_type="t",
                source_id=str(n),
                user=coordinator,
                order=order,
                on_date=day,
                units=300,
            )
        [row] = rows("due-unbooked", org)
        assert row.detail == "Due 03/09/2026, no appointment"

    def test_it_filters_by_site_and_assignee(self, org: Any, coordinator: Any) -> None:
        main, annex = f.make_location(org, name="Main"), f.make_location(org, name="Annex")
        staff = StaffMember.objects.create(
            organization=org, first_name="Hana", last_name="Price", user=coordinator
        )
        mine = rf.make_referral(org, location=main)
        rf.make_referral(org, location=annex, patient_last_name="Other")
        services.work_item_assign(item=mine, staff=staff, user=coordinator)
        assert [r.item for r in rows("intake", org, location_id=main.pk)] == [mine]
        assert [r.item for r in rows("intake", org, assignee="me", me=staff)] == [mine]
        assert [r.item.patient_last_name for r in rows("intake", org, assignee="none")] == ["Other"]
        assert [r.item for r in rows("intake", org, assignee=str(staff.public_id))] == [mine]

    def test_another_organizations_work_never_shows(self, org: Any, other_org: Any) -> None:
        rf.make_referral(other_org)
        rf.make_order(rf.covered_patient(other_org))
        assert all(q.rows(org, TODAY) == [] for q in QUEUES)


class TestCachedCounts:
    """The Today page's counts are kept under the fingerprint of the rows they read: read
    again, they are not recounted; any change to those rows recounts them at once."""

    @pytest.fixture
    def reads(self, monkeypatch: Any) -> list[Any]:
        from chairside.access.authorizations import queues

        found: list[Any] = []
        next_doses = queues._next_doses

        def counted(organization: Any, **options: Any) -> Any:
            found.append(organization)
            return next_doses(organization, **options)

        monkeypatch.setattr(queues, "_next_doses", counted)
        return found

    def counts(self, org: Any) -> dict[str, int]:
        from chairside.access.authorizations import queues

        found = queues.queue_counts(org, TODAY, [q.key for q in QUEUES])
        assert found == {q.key: len(q.rows(org, TODAY)) for q in QUEUES}  # never stale
        return found

    def test_a_second_read_is_not_recounted(self, org: Any, reads: list[Any]) -> None:
        rf.make_order(rf.covered_patient(org), "natalizumab", first_dose_on=dt.date(2026, 1, 12))
        from chairside.access.authorizations import queues

        first = self.counts(org)
        reads.clear()
        assert queues.queue_counts(org, TODAY, [q.key for q in QUEUES]) == first
        assert reads == []  # the cached counts, not a new walk over the orders
        rf.make_referral(org)
        assert queues.queue_counts(org, TODAY, ["intake"]) == {"intake": first["intake"] + 1}
        assert len(reads) == 1  # a changed row: counted again

    def test_a_lab_result_a_dose_and_a_new_referral_each_recount_at_once(
        self, org: Any, coordinator: Any, reads: list[Any]
    ) -> None:
        patient = rf.covered_patient(org)
        order = rf.make_order(patient, "natalizumab", first_dose_on=dt.date(2026, 1, 12))
        before = self.counts(org)
        assert before["labs-due"] == 1 and before["due-unbooked"] == 1
        lab_result_record(
            patient=patient,
            user=someone(),
            lab_name="Anti-JCV antibody (with index)",
            result_on=dt.date(2026, 2, 20),
        )
        assert self.counts(org)["labs-due"] == 0
        for n, day in enumerate([dt.date(2026, 1, 12), dt.date(2026, 2, 9)]):
            services.authorization_consume(
                source_type="t",
                source_id=str(n),
                user=coordinator,
                order=order,
                on_date=day,
                units=300,
            )
        assert self.counts(org)["due-unbooked"] == 1  # now due 03/09, still unbooked
        rf.make_referral(org)
        assert self.counts(org)["intake"] == before["intake"] + 1

    def test_a_deleted_row_recounts(self, org: Any) -> None:
        referral = rf.make_referral(org)
        assert self.counts(org)["intake"] == 1
        referral.delete()
        assert self.counts(org)["intake"] == 0

    def test_each_organization_has_its_own_counts(self, org: Any, other_org: Any) -> None:
        rf.make_referral(org)
        assert self.counts(org)["intake"] == 1
        assert self.counts(other_org)["intake"] == 0


class TestQueuePages:
    def test_each_queue_has_a_page_and_a_today_card(
        self, org: Any, coordinator_client: Any
    ) -> None:
        rf.make_referral(org)
        today = coordinator_client.get(reverse("today"))
        for queue in QUEUES:
            page = coordinator_client.get(reverse("authorizations:queue", args=[queue.key]))
            assert page.status_code == 200
            assert queue.title.encode() in today.content
        assert (
            b"Byron, Ada"
            in coordinator_client.get(reverse("authorizations:queue", args=["intake"])).content
        )

    def test_the_today_cards_count_without_building_rows(
        self, org: Any, coordinator_client: Any, monkeypatch: Any
    ) -> None:
        import dataclasses

        from chairside.access.authorizations import today as access_today

        rf.make_referral(org)
        rf.make_referral(org)
        rf.make_order(rf.covered_patient(org))  # benefits pending, labs and a dose due
        expected = {q.key: len(q.rows(org, TODAY)) for q in QUEUES}
        assert expected["intake"] == 2 and expected["benefits"] == 1
        for queue in QUEUES:
            assert queue.count(org, TODAY) == expected[queue.key], queue.key

        def refuse(*_args: Any) -> list[Any]:
            raise AssertionError("the Today page built a queue's rows to count them")

        monkeypatch.setattr(
            access_today,
            "QUEUES",
            tuple(dataclasses.replace(q, rows=refuse) for q in QUEUES),
        )
        from chairside.access.authorizations import queues

        assert queues.queue_counts(org, TODAY, [q.key for q in QUEUES]) == expected
        reads: list[Any] = []
        next_doses = queues._next_doses

        def counted(organization: Any, **options: Any) -> Any:
            reads.append(organization)
            return next_doses(organization, **options)

        monkeypatch.setattr(queues, "_next_doses", counted)
        cache.clear()
        page = coordinator_client.get(reverse("today"))
        assert page.status_code == 200
        assert len(reads) == 1  # labs due and doses due share one reading of the orders
        cards = {c.title: c.count for c in page.context["cards"]}
        for queue in QUEUES:
            assert cards[queue.title] == expected[queue.key], queue.key

    def test_a_nurse_sees_the_labs_card_only(self, org: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        today = nurse.get(reverse("today")).content
        assert b"Labs due before the next dose" in today
        assert b"Authorizations to submit" not in today
        assert b'href="/access/">Access</a>' not in today

    def test_the_navigation_leads_a_coordinator_to_the_queues(
        self, coordinator_client: Any
    ) -> None:
        page = coordinator_client.get(reverse("authorizations:queue", args=["intake"]))
        assert b'<a href="/access/" class="active" aria-current="page">Access</a>' in page.content
        referrals = coordinator_client.get(reverse("referrals:list"))
        assert b'<a href="/access/" class="active" aria-current="page">Access</a>' in (
            referrals.content
        )

    def test_an_unknown_queue_is_404(self, coordinator_client: Any) -> None:
        assert (
            coordinator_client.get(reverse("authorizations:queue", args=["nope"])).status_code
            == 404
        )


class TestAssign:
    def test_a_coordinator_assigns_with_htmx(self, org: Any, coordinator_client: Any) -> None:
        referral = rf.make_referral(org)
        staff = StaffMember.objects.create(organization=org, first_name="Hana", last_name="Price")
        url = reverse("authorizations:assign", args=["referral", referral.public_id])
        response = coordinator_client.post(url, {"staff": staff.public_id}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert b"selected" in response.content
        referral.refresh_from_db()
        assert referral.assigned_to == staff

    def test_it_refuses_staff_of_another_organization(
        self, org: Any, other_org: Any, coordinator_client: Any
    ) -> None:
        referral = rf.make_referral(org)
        stranger = StaffMember.objects.create(organization=other_org, first_name="X", last_name="Y")
        url = reverse("authorizations:assign", args=["referral", referral.public_id])
        response = coordinator_client.post(
            url, {"staff": stranger.public_id}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        referral.refresh_from_db()
        assert referral.assigned_to is None

    def test_it_is_404_for_another_organizations_item(
        self, other_org: Any, coordinator_client: Any
    ) -> None:
        foreign = rf.make_referral(other_org)
        theirs = StaffMember.objects.create(organization=other_org, first_name="X", last_name="Y")
        url = reverse("authorizations:assign", args=["referral", foreign.public_id])
        assert coordinator_client.post(url, {"staff": theirs.public_id}).status_code == 404
        foreign.refresh_from_db()
        assert foreign.assigned_to is None

    def test_a_nurse_cannot_assign(self, org: Any) -> None:
        referral = rf.make_referral(org)
        staff = StaffMember.objects.create(organization=org, first_name="Hana", last_name="Price")
        nurse = f.login(f.make_user(org, "nurse"))
        url = reverse("authorizations:assign", args=["referral", referral.public_id])
        assert nurse.post(url, {"staff": staff.public_id}).status_code == 403
        referral.refresh_from_db()
        assert referral.assigned_to is None
