"""The home-care route planner: windows kept, nurse-only stops with nurses, nothing lost."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.scheduling import routing
from chairside.rules.scheduling.routing import (
    Plan,
    Stop,
    Vehicle,
    booking_order,
    evaluate_routes,
    haversine_km,
    plan_routes,
    propose_day,
    travel_minutes,
    windows_missed,
)

DEPOT = (40.0, -75.0)
FAST = 0.3  # seconds of search: the days here are tiny


def east(km: float) -> tuple[float, float]:
    """A point ``km`` east of the depot (about 85 km per degree of longitude at 40° N)."""
    return (DEPOT[0], DEPOT[1] + km / 85.2)


def stop(sid: str, km: float, window: tuple[int, int], minutes: int = 30, nurse: bool = False):
    lat, lon = east(km)
    return Stop(sid, lat, lon, window[0], window[1], minutes, nurse)


def nurse(vid: str = "N1", shift: tuple[int, int] = (480, 1020)) -> Vehicle:
    return Vehicle(vid, True, DEPOT, *shift)


def driver(vid: str = "D1", shift: tuple[int, int] = (480, 1020)) -> Vehicle:
    return Vehicle(vid, False, DEPOT, *shift)


def placed(plan, vehicle_id: str) -> list[str]:
    return [s.stop_id for s in plan.route_of(vehicle_id).stops]


class TestDistances:
    def test_it_measures_a_degree_of_latitude_as_about_111_km(self) -> None:
        assert haversine_km((40.0, -75.0), (41.0, -75.0)) == pytest.approx(111.2, abs=0.1)

    def test_it_rounds_travel_up_to_whole_minutes_at_the_speed(self) -> None:
        # 111.2 km at 40 km/h is 166.8 minutes → 167.
        assert travel_minutes((40.0, -75.0), (41.0, -75.0), 40) == 167
        assert travel_minutes(DEPOT, DEPOT, 40) == 0

    def test_it_refuses_a_speed_of_zero(self) -> None:
        with pytest.raises(ValueError, match="speed"):
            travel_minutes(DEPOT, east(1), 0)


class TestWindows:
    def test_it_orders_stops_so_each_starts_inside_its_window(self) -> None:
        # Booked far-first, but the near stop's window is earlier: the route must swap them.
        stops = [stop("far", 20, (720, 780)), stop("near", 5, (540, 600))]
        plan = plan_routes(stops, [nurse()], time_limit_seconds=FAST)
        assert placed(plan, "N1") == ["near", "far"]
        assert plan.unplaced == ()
        for rs in plan.route_of("N1").stops:
            s = next(x for x in stops if x.id == rs.stop_id)
            assert s.window_start <= rs.starts <= s.window_end
        assert windows_missed(plan.routes, stops, [nurse()]) == 0

    def test_it_waits_when_early_and_leaves_the_depot_late_enough(self) -> None:
        stops = [stop("a", 10, (600, 660))]  # 10 km at 40 km/h: 15 minutes
        route = plan_routes(stops, [nurse()], time_limit_seconds=FAST).route_of("N1")
        assert route.stops[0].starts == 600
        assert route.leaves == 585
        assert route.returns == 600 + 30 + 15
        assert route.travel_minutes == 30

    def test_it_counts_travel_from_the_start_and_back_to_the_end(self) -> None:
        stops = [stop("a", 4, (480, 1000), minutes=10)]
        route = plan_routes(stops, [driver()], time_limit_seconds=FAST).route_of("D1")
        assert route.travel_minutes == 2 * travel_minutes(DEPOT, east(4))

    def test_it_uses_a_supplied_matrix_instead_of_the_map(self) -> None:
        stops = [stop("a", 1, (480, 1000)), stop("b", 1, (480, 1000))]
        matrix = {
            "depot": {"a": 50, "b": 5},
            "a": {"depot": 5, "b": 5},
            "b": {"depot": 50, "a": 5},
        }
        plan = plan_routes(stops, [nurse()], matrix=matrix, time_limit_seconds=FAST)
        assert placed(plan, "N1") == ["b", "a"]
        assert plan.travel_minutes == 15

    def test_it_names_a_gap_in_the_supplied_matrix(self) -> None:
        with pytest.raises(ValueError, match="travel matrix has no time from"):
            plan_routes([stop("a", 1, (480, 1000))], [nurse()], matrix={"depot": {}})


class TestUnplaceable:
    def test_it_reports_a_window_no_shift_can_reach(self) -> None:
        stops = [stop("late", 5, (1100, 1140)), stop("ok", 5, (600, 700))]
        plan = plan_routes(stops, [nurse()], time_limit_seconds=FAST)
        assert [u.stop_id for u in plan.unplaced] == ["late"]
        assert "cannot be reached" in plan.unplaced[0].reason
        assert placed(plan, "N1") == ["ok"]

    def test_it_reports_the_stop_that_does_not_fit_a_full_day(self) -> None:
        # Three 2-hour visits, all to start between 09:00 and 09:30: one nurse fits one.
        stops = [stop(f"v{n}", 3, (540, 570), minutes=120, nurse=True) for n in range(3)]
        plan = plan_routes(stops, [nurse()], time_limit_seconds=FAST)
        assert len(placed(plan, "N1")) == 1
        assert len(plan.unplaced) == 2
        assert all("no room" in u.reason for u in plan.unplaced)

    def test_it_never_loses_a_stop(self) -> None:
        rng = random.Random(4)
        stops = [
            stop(f"s{n}", rng.uniform(0, 30), (w := rng.randrange(480, 900), w + 60), 40)
            for n in range(15)
        ]
        plan = plan_routes(stops, [nurse(), driver()], time_limit_seconds=FAST)
        routed = [s.stop_id for r in plan.routes for s in r.stops]
        assert sorted(routed + [u.stop_id for u in plan.unplaced]) == sorted(s.id for s in stops)
        assert len(routed) == len(set(routed))
        assert windows_missed(plan.routes, stops, [nurse(), driver()]) == 0


class TestNurseOnly:
    def test_it_gives_nursing_visits_only_to_nurses(self) -> None:
        stops = [stop(f"v{n}", n + 1, (480, 1000), nurse=True) for n in range(4)]
        stops += [stop(f"d{n}", n + 1, (480, 1000), minutes=10) for n in range(4)]
        plan = plan_routes(
            stops, [driver("D1"), nurse("N1"), driver("D2")], time_limit_seconds=FAST
        )
        assert plan.unplaced == ()
        for vid in ("D1", "D2"):
            assert not [s for s in placed(plan, vid) if s.startswith("v")]
        assert {s for s in placed(plan, "N1") if s.startswith("v")} == {"v0", "v1", "v2", "v3"}

    def test_it_can_leave_deliveries_to_the_driver(self) -> None:
        stops = [stop("v", 5, (540, 600), nurse=True), stop("d", 6, (540, 720), minutes=10)]
        fleet = [nurse(), driver()]
        # The nurse taking it saves 15 minutes of driving: worth it at 10, not at 30.
        plan = plan_routes(stops, fleet, time_limit_seconds=FAST, nurse_delivery_minutes=30)
        assert placed(plan, "N1") == ["v"] and placed(plan, "D1") == ["d"]
        least_driving = plan_routes(stops, fleet, time_limit_seconds=FAST, nurse_delivery_minutes=0)
        assert sorted(placed(least_driving, "N1")) == ["d", "v"]
        worth_it = plan_routes(stops, fleet, time_limit_seconds=FAST, nurse_delivery_minutes=10)
        assert sorted(placed(worth_it, "N1")) == ["d", "v"]
        alone = plan_routes(stops, [nurse()], time_limit_seconds=FAST, nurse_delivery_minutes=30)
        assert sorted(placed(alone, "N1")) == ["d", "v"]  # without a driver the nurse takes it

    def test_it_reports_a_nursing_visit_when_only_drivers_work(self) -> None:
        stops = [stop("v", 2, (480, 1000), nurse=True), stop("d", 2, (480, 1000), minutes=10)]
        plan = plan_routes(stops, [driver()], time_limit_seconds=FAST)
        assert [(u.stop_id, u.reason) for u in plan.unplaced] == [
            ("v", "needs a nurse and no nurse is on shift")
        ]
        assert placed(plan, "D1") == ["d"]

    def test_it_counts_a_nursing_visit_on_a_drivers_route_as_missed(self) -> None:
        stops = [stop("v", 2, (480, 1000), nurse=True)]
        routes = evaluate_routes({"D1": ["v"]}, stops, [driver()])
        assert windows_missed(routes, stops, [driver()]) == 1


def a_day(seed: str, count: int = 12) -> list[Stop]:
    """A fixed day around the depot: nursing visits in 2-hour windows, deliveries in 4-hour
    windows (a fifth of them handed over by a nurse), in booking order."""
    rng = random.Random(seed)
    day = []
    for n in range(count):
        lat = DEPOT[0] + rng.uniform(-0.12, 0.12)
        lon = DEPOT[1] + rng.uniform(-0.16, 0.16)
        if rng.random() < 0.45:
            start = rng.choice(range(480, 841, 30))
            day.append(Stop(f"v{n}", lat, lon, start, start + 120, rng.choice((45, 60, 90)), True))
        else:
            start = rng.choice((480, 540, 600, 720, 780))
            day.append(Stop(f"d{n}", lat, lon, start, start + 240, 10, rng.random() < 0.2))
    return day


class TestBookingOrder:
    def test_it_deals_deliveries_to_the_drivers_when_nurses_are_kept_for_nursing(self) -> None:
        stops = [stop("v1", 1, (480, 600), nurse=True), stop("d1", 2, (480, 700), minutes=10)]
        stops += [stop("d2", 3, (480, 700), minutes=10), stop("v2", 4, (480, 600), nurse=True)]
        stops += [Stop("dn", *east(5), 480, 700, 10, True)]  # handed over by a nurse
        fleet = [nurse("N1"), nurse("N2"), driver("D1")]
        assert booking_order(stops, fleet, nurse_delivery_minutes=10) == {
            "N1": ["v1", "dn"],
            "N2": ["v2"],
            "D1": ["d1", "d2"],
        }
        # At 0 (least driving, whoever carries it) anyone able takes the next delivery.
        assert booking_order(stops, fleet, nurse_delivery_minutes=0) == {
            "N1": ["v1", "d1", "dn"],
            "N2": ["d2", "v2"],
            "D1": [],
        }
        # Without a driver on shift the nurses carry the deliveries.
        alone = booking_order(stops, fleet[:2], nurse_delivery_minutes=10)
        assert alone == {"N1": ["v1", "d1", "dn"], "N2": ["d2", "v2"]}


class TestProposal:
    FLEET = (nurse("N1", (450, 1050)), nurse("N2", (450, 1050)), driver("D1", (450, 1050)))

    @pytest.mark.parametrize("nurse_minutes", [0, 10])
    def test_a_fixed_day_is_never_longer_than_booking_order_and_keeps_its_windows(
        self, nurse_minutes: int
    ) -> None:
        stops, fleet = a_day("route-proposal"), list(self.FLEET)
        proposal = propose_day(
            stops, fleet, time_limit_seconds=1, nurse_delivery_minutes=nurse_minutes
        )
        plan = proposal.plan
        assert plan.unplaced == ()
        assert windows_missed(plan.routes, stops, fleet) == 0
        assert sorted(s.stop_id for r in plan.routes for s in r.stops) == sorted(
            s.id for s in stops
        )
        # Shorter than booking order under the same rule, and than deliveries dealt to anyone.
        assert plan.travel_minutes <= proposal.baseline_travel_minutes
        anyone = evaluate_routes(
            booking_order(stops, fleet, nurse_delivery_minutes=0), stops, fleet
        )
        assert plan.travel_minutes <= sum(r.travel_minutes for r in anyone)
        assert proposal.baseline_missed == windows_missed(proposal.baseline, stops, fleet)

    def test_it_keeps_booking_order_when_that_keeps_every_window_and_the_search_falls_short(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Two stops in wide windows: booking order keeps them; a search that came back with
        # nothing placed (as a cut-short search on a big day might) is not proposed.
        stops = [stop("a", 3, (480, 1000)), stop("b", 6, (480, 1000))]

        def gave_up(stops: list[Stop], vehicles: list[Vehicle], **_: object) -> Plan:
            routes = evaluate_routes({}, stops, vehicles)
            unplaced = tuple(routing.Unplaced(s.id, "no room") for s in stops)
            return Plan(tuple(routes), unplaced, 0, 0.1)

        monkeypatch.setattr(routing, "plan_routes", gave_up)
        proposal = propose_day(stops, [nurse()], time_limit_seconds=FAST)
        assert proposal.plan.unplaced == ()
        assert placed(proposal.plan, "N1") == ["a", "b"]
        assert proposal.plan.travel_minutes == proposal.baseline_travel_minutes
        assert proposal.plan.notes == ("The search found nothing better than booking order.",)


class TestInput:
    def test_it_refuses_a_window_that_ends_before_it_starts(self) -> None:
        with pytest.raises(ValueError, match="window ends before it starts"):
            plan_routes([stop("a", 1, (600, 500))], [nurse()])

    def test_it_refuses_the_same_stop_twice(self) -> None:
        with pytest.raises(ValueError, match="listed twice"):
            plan_routes([stop("a", 1, (480, 600)), stop("a", 2, (480, 600))], [nurse()])

    def test_it_answers_a_day_without_vehicles_with_every_stop_unplaced(self) -> None:
        plan = plan_routes([stop("a", 1, (480, 600))], [])
        assert plan.routes == () and [u.stop_id for u in plan.unplaced] == ["a"]


@given(
    st.lists(
        st.tuples(st.floats(0, 25), st.integers(480, 960), st.integers(0, 180), st.integers(5, 60)),
        min_size=1,
        max_size=8,
    )
)
def test_every_routed_stop_starts_in_its_window(items: list[tuple[float, int, int, int]]) -> None:
    stops = [
        stop(f"s{n}", km, (w, w + width), mins) for n, (km, w, width, mins) in enumerate(items)
    ]
    fleet = [nurse(), driver()]
    plan = plan_routes(stops, fleet, time_limit_seconds=0.1)
    assert windows_missed(plan.routes, stops, fleet) == 0
    routed = {s.stop_id for r in plan.routes for s in r.stops}
    assert routed | {u.stop_id for u in plan.unplaced} == {s.id for s in stops}
