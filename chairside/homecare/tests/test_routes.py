"""Proposing and accepting a day's routes: nothing changes until the coordinator accepts;
accepting applies people and times, audited; a changed day or another organization is
refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.audit.models import AuditEvent
from chairside.homecare import services
from chairside.homecare.models import DeliveryTicket, HomeVisit, RoutePlan
from chairside.homecare.tests import factories as hf
from tests import factories as f

pytestmark = pytest.mark.django_db


def _propose(org: Any, day: Any, user: Any = None) -> RoutePlan:
    return services.route_propose(organization=org, user=user, location=day.location, date=day.date)


class TestPropose:
    def test_it_places_every_stop_and_changes_nothing(self, org: Any, day: Any) -> None:
        plan = _propose(org, day)
        assert plan.status == RoutePlan.Status.PROPOSED
        assert plan.stops == 6 and plan.unplaced == 0
        keys = [s["key"] for r in plan.result["routes"] for s in r["stops"]]
        assert len(keys) == 6
        assert not HomeVisit.objects.filter(nurse__isnull=False).exists()
        assert not DeliveryTicket.objects.filter(planned_at__isnull=False).exists()

    def test_it_puts_home_visits_only_on_nurses_routes(self, org: Any, day: Any) -> None:
        plan = _propose(org, day)
        driver = next(r for r in plan.result["routes"] if r["staff"] == str(day.driver.public_id))
        assert all(s["key"].startswith("delivery:") for s in driver["stops"])

    def test_it_leaves_deliveries_to_the_driver_as_the_depot_says(self, org: Any, day: Any) -> None:
        day.location.home_base.nurse_delivery_minutes = 120
        day.location.home_base.save()
        plan = _propose(org, day)
        driver = next(r for r in plan.result["routes"] if r["staff"] == str(day.driver.public_id))
        assert {s["key"] for s in driver["stops"]} == {
            f"delivery:{d.public_id}" for d in day.deliveries
        }

    def test_it_measures_against_booking_order_under_the_depots_rule(
        self, org: Any, day: Any
    ) -> None:
        plan = _propose(org, day)
        # Deliveries go to the driver in the baseline too (the depot keeps them off nurses'
        # routes by default), so the figure shown is the day as a coordinator would run it.
        assert day.location.home_base.nurse_delivery_minutes == 10
        assert 0 < plan.travel_minutes <= plan.booking_order_travel_minutes
        assert isinstance(plan.result["booking_order_windows_missed"], int)
        assert (
            plan.result["notes"] == [] or plan.travel_minutes == plan.booking_order_travel_minutes
        )

    def test_it_reports_a_stop_it_cannot_place(self, org: Any, day: Any) -> None:
        late = hf.make_home_patient(org, day.location, km_east=2)
        visit = hf.make_visit(late, day.location, day.date, window=(18, 19))
        plan = _propose(org, day)
        assert plan.unplaced == 1
        assert plan.result["unplaced"][0]["key"] == f"visit:{visit.public_id}"
        assert "cannot be reached" in plan.result["unplaced"][0]["reason"]

    def test_it_refuses_a_day_without_anybody_on_shift(self, org: Any, home: Any) -> None:
        patient = hf.make_home_patient(org, home)
        when = dt.date(2030, 3, 4)
        hf.make_delivery(patient, home, when)
        with pytest.raises(ValidationError, match="Nobody is on shift"):
            services.route_propose(organization=org, user=None, location=home, date=when)

    def test_it_keeps_a_cold_chain_box_inside_its_pack_out(
        self, org: Any, day: Any, home: Any
    ) -> None:
        patient = hf.make_home_patient(org, home, km_east=1)
        packed = dt.datetime.combine(day.date, dt.time(6), tzinfo=home.tz)
        hf.make_delivery(
            patient,
            home,
            day.date,
            window=(9, 12),
            cold_chain=True,
            packed_out_at=packed,
            validity_hours=2,  # gone by 08:00, before the window opens
        )
        plan = _propose(org, day)
        assert [u["reason"] for u in plan.result["unplaced"]] == [
            "its cold-chain pack-out expires before its window"
        ]


class TestAccept:
    def test_it_applies_people_and_times_and_audits(
        self, org: Any, day: Any, admin_user: Any
    ) -> None:
        plan = _propose(org, day, admin_user)
        services.route_accept(organization=org, user=admin_user, plan=plan)
        plan.refresh_from_db()
        assert plan.status == RoutePlan.Status.ACCEPTED and plan.accepted_by == admin_user
        for visit in HomeVisit.objects.all():
            assert visit.nurse in (day.nurse_a, day.nurse_b)
            assert visit.planned_at is not None
            local = visit.planned_at.astimezone(day.location.tz)
            assert local.date() == day.date
            assert visit.window_start <= local.time() <= visit.window_end
            assert visit.route_plan == plan
        for ticket in DeliveryTicket.objects.all():
            assert ticket.assigned_to in (day.nurse_a, day.nurse_b, day.driver)
        changed = AuditEvent.objects.filter(
            action=AuditEvent.Action.UPDATE, reason__startswith="Route plan"
        )
        assert changed.count() == 6
        assert set(changed.values_list("patient_id", flat=True)) == {
            p.public_id for p in day.patients
        }

    def test_it_refuses_a_plan_for_a_day_that_changed(self, org: Any, day: Any) -> None:
        plan = _propose(org, day)
        visit = day.visits[0]
        visit.duration_minutes = 90
        visit.save()
        with pytest.raises(ValidationError, match="changed since this plan was proposed"):
            services.route_accept(organization=org, user=None, plan=plan)
        assert not HomeVisit.objects.filter(nurse__isnull=False).exists()

    def test_it_replaces_the_days_earlier_accepted_plan(self, org: Any, day: Any) -> None:
        first = _propose(org, day)
        services.route_accept(organization=org, user=None, plan=first)
        second = _propose(org, day)
        services.route_accept(organization=org, user=None, plan=second)
        first.refresh_from_db()
        assert first.status == RoutePlan.Status.SUPERSEDED
        assert set(HomeVisit.objects.values_list("route_plan", flat=True)) == {second.pk}

    def test_it_refuses_to_accept_twice(self, org: Any, day: Any) -> None:
        plan = _propose(org, day)
        services.route_accept(organization=org, user=None, plan=plan)
        with pytest.raises(ValidationError, match="accepted"):
            services.route_accept(organization=org, user=None, plan=plan)

    def test_it_refuses_another_organizations_plan(
        self, org: Any, other_org: Any, day: Any
    ) -> None:
        plan = _propose(org, day)
        with pytest.raises(ValidationError, match="another organization"):
            services.route_accept(organization=other_org, user=None, plan=plan)


class TestPages:
    def test_a_coordinator_proposes_and_accepts(self, org: Any, day: Any) -> None:
        client = f.login(f.make_user(org, "coordinator"))
        base = f"/homecare/?location={day.location.public_id}&date={day.date.isoformat()}"
        response = client.post(
            "/homecare/propose/",
            {"location": str(day.location.public_id), "date": day.date.isoformat()},
        )
        assert response.status_code == 302
        plan = RoutePlan.objects.get()
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert b"Proposed routes" in page.content and b"Accept and apply" in page.content
        assert client.post(f"/homecare/plans/{plan.public_id}/accept/").status_code == 302
        assert HomeVisit.objects.filter(nurse__isnull=True).count() == 0
        assert b"Accepted routes" in client.get(base).content

    def test_a_nurse_cannot_propose_and_sees_her_own_route(
        self, org: Any, day: Any, nurse_user: Any
    ) -> None:
        plan = _propose(org, day)
        services.route_accept(organization=org, user=None, plan=plan)
        client = f.login(nurse_user)
        assert client.post("/homecare/propose/", {"date": day.date.isoformat()}).status_code == 403
        assert client.post(f"/homecare/plans/{plan.public_id}/accept/").status_code == 403
        assert client.get("/homecare/").status_code == 302  # to her own route
        page = client.get(f"/homecare/my-route/?date={day.date.isoformat()}").content.decode()
        mine = HomeVisit.objects.filter(nurse=day.nurse_a)
        others = HomeVisit.objects.exclude(nurse=day.nurse_a)
        for visit in mine:
            assert visit.patient.last_name in page
        for visit in others:
            assert visit.patient.last_name not in page

    def test_another_organizations_plan_is_not_found(
        self, org: Any, other_org: Any, day: Any
    ) -> None:
        plan = _propose(org, day)
        outsider = f.login(f.make_user(other_org, "coordinator"))
        hf.make_home_location(other_org)
        assert outsider.post(f"/homecare/plans/{plan.public_id}/accept/").status_code == 404
        assert outsider.get(f"/homecare/?plan={plan.public_id}").status_code == 404
        page = outsider.get(f"/homecare/?location={day.location.public_id}")
        assert page.status_code == 404
        plan.refresh_from_db()
        assert plan.status == RoutePlan.Status.PROPOSED
