"""Vehicle routing with time windows for a home-infusion day: deliveries and nursing visits.

A day is a set of **stops** (a patient's home, a time window in which the visit or hand-over
must *start*, and how long it takes there) and **vehicles** (a nurse or a driver, each with
a start and an end place and a shift). :func:`plan_routes` orders the stops into one route
per vehicle so that every service starts inside its window, every vehicle is back at its
end place by the end of its shift, nurse-only stops (home nursing visits, and deliveries
that the nurse must hand over herself) ride only with nurses, and total travel is least.

Travel times come from the great-circle (haversine) distance at a set average speed, or
from a matrix the caller supplies (minutes between place keys); no outside map service.

The search is OR-Tools' routing solver: a deterministic first solution (path cheapest arc),
then guided local search until the time limit. A stop that cannot be placed is never
dropped silently: it is returned in ``Plan.unplaced`` with the reason, found either before
the search (no vehicle of the right kind, a window outside every shift, too far to reach in
its window) or by the solver (no room left in any route).

Times are whole minutes from midnight of the plan's day; coordinates are decimal degrees.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
DEFAULT_SPEED_KMH = 40.0  # an urban/suburban average including stops at lights
# The app's defaults (a depot's ``HomeBase.search_seconds`` and ``nurse_delivery_minutes``
# start at these, and ``bench/homecare.py`` measures with them). The search converges well
# inside 3 s on a dozen stops (the exact optimum of 20 seeded 12-stop days is reached in 1 s);
# a 60-stop day gains about 1-2% more from a longer search.
DEFAULT_TIME_LIMIT_SECONDS = 3
# A nurse's time is for nursing: a pharmacy counts a delivery a driver could take as this
# many extra minutes on a nurse's route, so it goes to a driver unless that saves more
# driving. 0 minimises driving alone, whoever carries it.
DEFAULT_NURSE_DELIVERY_MINUTES = 10
# Dropping a stop costs more than any travel a day could add, so the solver drops one only
# when it cannot be placed at all.
_DROP_PENALTY = 10_000_000

Point = tuple[float, float]  # (latitude, longitude)


@dataclass(frozen=True)
class Stop:
    """One place to be on the day: a delivery hand-over or a home nursing visit.

    ``window_start``/``window_end`` bound when the service *starts* (arriving early means
    waiting); ``place`` keys the stop in a supplied travel matrix (the id by default)."""

    id: str
    lat: float
    lon: float
    window_start: int
    window_end: int
    service_minutes: int
    nurse_only: bool = False
    place: str = ""

    @property
    def key(self) -> str:
        return self.place or self.id


@dataclass(frozen=True)
class Vehicle:
    """A nurse or a driver for the day: where the route starts and ends, and the shift."""

    id: str
    is_nurse: bool
    start: Point
    shift_start: int
    shift_end: int
    end: Point | None = None  # None: back where it started
    start_place: str = "depot"
    end_place: str = "depot"


@dataclass(frozen=True)
class RoutedStop:
    stop_id: str
    arrives: int  # minute the vehicle gets there
    starts: int  # minute the service starts (arrives, or the window's start when early)
    departs: int
    travel_minutes: int  # from the previous place


@dataclass(frozen=True)
class Route:
    vehicle_id: str
    stops: tuple[RoutedStop, ...]
    leaves: int  # minute it leaves its start place
    returns: int  # minute it is back at its end place
    travel_minutes: int


@dataclass(frozen=True)
class Unplaced:
    stop_id: str
    reason: str


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]
    unplaced: tuple[Unplaced, ...]
    travel_minutes: int
    solve_seconds: float
    notes: tuple[str, ...] = field(default=())

    def route_of(self, vehicle_id: str) -> Route:
        return next(r for r in self.routes if r.vehicle_id == vehicle_id)


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def travel_minutes(a: Point, b: Point, speed_kmh: float = DEFAULT_SPEED_KMH) -> int:
    """Whole minutes (rounded up) to drive the great-circle distance at the average speed."""
    if speed_kmh <= 0:
        raise ValueError("The average speed must be above 0 km/h.")
    return math.ceil(haversine_km(a, b) / speed_kmh * 60 - 1e-9)


@dataclass(frozen=True)
class _Node:
    key: str
    point: Point


class _Travel:
    """The day's places (each stop, then each vehicle's start and end) and the whole
    minutes between them: from the supplied matrix by place key, else haversine."""

    def __init__(
        self,
        stops: Sequence[Stop],
        vehicles: Sequence[Vehicle],
        speed_kmh: float,
        matrix: Mapping[str, Mapping[str, float]] | None,
    ) -> None:
        if speed_kmh <= 0:
            raise ValueError("The average speed must be above 0 km/h.")
        nodes = [_Node(s.key, (s.lat, s.lon)) for s in stops]
        self.stop_node = {s.id: i for i, s in enumerate(stops)}
        self.vehicle_nodes: list[tuple[int, int]] = []
        for v in vehicles:
            nodes.append(_Node(v.start_place, v.start))
            nodes.append(_Node(v.end_place, v.end or v.start))
            self.vehicle_nodes.append((len(nodes) - 2, len(nodes) - 1))
        size = len(nodes)
        self.minutes = [[0] * size for _ in range(size)]
        for i, a in enumerate(nodes):
            for j, b in enumerate(nodes):
                if i != j and a.key != b.key:
                    self.minutes[i][j] = self._leg(a, b, speed_kmh, matrix)

    @staticmethod
    def _leg(
        a: _Node, b: _Node, speed_kmh: float, matrix: Mapping[str, Mapping[str, float]] | None
    ) -> int:
        if matrix is None:
            return travel_minutes(a.point, b.point, speed_kmh)
        try:
            value = float(matrix[a.key][b.key])
        except KeyError:
            raise ValueError(
                f"The travel matrix has no time from '{a.key}' to '{b.key}'."
            ) from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"The travel time from '{a.key}' to '{b.key}' is not valid.")
        return math.ceil(value - 1e-9)


def _validate(stops: Sequence[Stop], vehicles: Sequence[Vehicle]) -> None:
    seen: set[str] = set()
    for stop in stops:
        if stop.id in seen:
            raise ValueError(f"Stop '{stop.id}' is listed twice.")
        seen.add(stop.id)
        if stop.window_end < stop.window_start:
            raise ValueError(f"Stop '{stop.id}': its window ends before it starts.")
        if stop.service_minutes < 0:
            raise ValueError(f"Stop '{stop.id}': the service time cannot be negative.")
        if not (-90 <= stop.lat <= 90 and -180 <= stop.lon <= 180):
            raise ValueError(f"Stop '{stop.id}': the coordinates are not on Earth.")
    ids = [v.id for v in vehicles]
    if len(set(ids)) != len(ids):
        raise ValueError("A vehicle (nurse or driver) is listed twice.")
    for v in vehicles:
        if v.shift_end <= v.shift_start:
            raise ValueError(f"Vehicle '{v.id}': the shift ends before it starts.")


def _precheck(stop: Stop, vehicles: Sequence[Vehicle], travel: _Travel) -> str | None:
    """Why no vehicle could ever serve this stop, even alone; None when one might."""
    node = travel.stop_node[stop.id]
    able = [k for k, v in enumerate(vehicles) if v.is_nurse or not stop.nurse_only]
    if not able:
        return "needs a nurse and no nurse is on shift" if stop.nurse_only else "nobody on shift"
    reachable = False
    for k in able:
        v = vehicles[k]
        start_node, end_node = travel.vehicle_nodes[k]
        earliest = max(v.shift_start + travel.minutes[start_node][node], stop.window_start)
        if earliest > min(stop.window_end, v.shift_end):
            continue
        reachable = True
        if earliest + stop.service_minutes + travel.minutes[node][end_node] <= v.shift_end:
            return None
    if not reachable:
        who = "nurse's" if stop.nurse_only else "nurse's or driver's"
        return f"its time window cannot be reached within any {who} shift"
    return "the visit would end after every shift that could reach it"


def plan_routes(
    stops: Sequence[Stop],
    vehicles: Sequence[Vehicle],
    *,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    matrix: Mapping[str, Mapping[str, float]] | None = None,
    time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS,
    nurse_delivery_minutes: int = DEFAULT_NURSE_DELIVERY_MINUTES,
) -> Plan:
    """Routes for the day: every stop placed inside its window, or listed as unplaced.

    ``matrix[a][b]`` is minutes from place ``a`` to place ``b`` (stops by ``Stop.key``,
    vehicles by ``start_place``/``end_place``); without it, haversine at ``speed_kmh``.
    ``nurse_delivery_minutes`` is what the search counts (not the travel reported) for a
    nurse taking a stop that is not nurse-only, while drivers are on shift."""
    began = time.perf_counter()
    _validate(stops, vehicles)
    travel = _Travel(stops, vehicles, speed_kmh, matrix)
    unplaced: list[Unplaced] = []
    candidates: list[int] = []
    for i, stop in enumerate(stops):
        reason = _precheck(stop, vehicles, travel)
        if reason:
            unplaced.append(Unplaced(stop.id, reason))
        else:
            candidates.append(i)
    sequences: list[list[int]] = [[] for _ in vehicles]
    if vehicles and candidates:
        sequences = _solve(
            stops, vehicles, travel, candidates, (time_limit_seconds, nurse_delivery_minutes)
        )
    routes = [
        _timed(v, [stops[n] for n in seq], travel, k)
        for k, (v, seq) in enumerate(zip(vehicles, sequences, strict=True))
    ]
    placed = {n for seq in sequences for n in seq}
    unplaced.extend(
        Unplaced(stops[i].id, "no room left in any route within its window and the shifts")
        for i in candidates
        if i not in placed
    )
    order = {s.id: n for n, s in enumerate(stops)}
    return Plan(
        routes=tuple(routes),
        unplaced=tuple(sorted(unplaced, key=lambda u: order[u.stop_id])),
        travel_minutes=sum(r.travel_minutes for r in routes),
        solve_seconds=round(time.perf_counter() - began, 3),
    )


def _solve(
    stops: Sequence[Stop],
    vehicles: Sequence[Vehicle],
    travel: _Travel,
    candidates: list[int],
    limits: tuple[float, int],
) -> list[list[int]]:
    """The OR-Tools model over the candidate stops: each vehicle's stops in order."""
    # The model's nodes: candidate stops first, then each vehicle's start and end.
    model_nodes = list(candidates)
    starts: list[int] = []
    ends: list[int] = []
    for s_node, e_node in travel.vehicle_nodes:
        starts.append(len(model_nodes))
        model_nodes.append(s_node)
        ends.append(len(model_nodes))
        model_nodes.append(e_node)
    manager = pywrapcp.RoutingIndexManager(len(model_nodes), len(vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    service = [stops[n].service_minutes for n in candidates] + [0] * (2 * len(vehicles))

    # Matrices, not Python callbacks: the solver reads them without calling back into
    # Python, which keeps guided local search fast enough for 60 stops on a shared core.
    arcs = [[travel.minutes[a][b] for b in model_nodes] for a in model_nodes]
    transits = [[service[i] + arcs[i][j] for j in range(len(arcs))] for i in range(len(arcs))]
    time_limit_seconds, nurse_extra = limits
    drivers_on_shift = any(not v.is_nurse for v in vehicles)
    if nurse_extra > 0 and drivers_on_shift:
        extra = [
            0 if k >= len(candidates) or stops[n].nurse_only else nurse_extra
            for k, n in enumerate(model_nodes)
        ]
        nurse_arcs = [[a + extra[j] for j, a in enumerate(row)] for row in arcs]
        driver_cost = routing.RegisterTransitMatrix(arcs)
        nurse_cost = routing.RegisterTransitMatrix(nurse_arcs)
        for k, v in enumerate(vehicles):
            routing.SetArcCostEvaluatorOfVehicle(nurse_cost if v.is_nurse else driver_cost, k)
    else:
        routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(arcs))
    horizon = max(v.shift_end for v in vehicles) + 1
    routing.AddDimension(routing.RegisterTransitMatrix(transits), horizon, horizon, False, "t")
    clock = routing.GetDimensionOrDie("t")
    nurses = [k for k, v in enumerate(vehicles) if v.is_nurse]
    for k, n in enumerate(candidates):
        stop = stops[n]
        index = manager.NodeToIndex(k)
        clock.CumulVar(index).SetRange(stop.window_start, stop.window_end)
        routing.AddDisjunction([index], _DROP_PENALTY)
        if stop.nurse_only:
            # -1 keeps the stop droppable, so a full day reports it rather than failing.
            routing.VehicleVar(index).SetValues([-1, *nurses])
    for k, v in enumerate(vehicles):
        clock.CumulVar(routing.Start(k)).SetRange(v.shift_start, v.shift_end)
        clock.CumulVar(routing.End(k)).SetRange(v.shift_start, v.shift_end)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(100, int(time_limit_seconds * 1000)))
    solution = routing.SolveWithParameters(params)
    sequences: list[list[int]] = [[] for _ in vehicles]
    if solution is None:  # every stop is droppable, so this means the solver gave up
        return sequences
    for k in range(len(vehicles)):
        index = solution.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            sequences[k].append(model_nodes[manager.IndexToNode(index)])
            index = solution.Value(routing.NextVar(index))
    return sequences


def _timed(vehicle: Vehicle, ordered: Sequence[Stop], travel: _Travel, k: int) -> Route:
    """The earliest times along a fixed order (waiting when early); the vehicle leaves its
    start as late as still reaches the first stop when its service can start."""
    start_node, end_node = travel.vehicle_nodes[k]
    t, here, total = vehicle.shift_start, start_node, 0
    timed: list[RoutedStop] = []
    for stop in ordered:
        node = travel.stop_node[stop.id]
        leg = travel.minutes[here][node]
        arrives = t + leg
        starts = max(arrives, stop.window_start)
        timed.append(RoutedStop(stop.id, arrives, starts, starts + stop.service_minutes, leg))
        total += leg
        t, here = starts + stop.service_minutes, node
    back = travel.minutes[here][end_node]
    leaves = vehicle.shift_start
    if timed:
        first = timed[0]
        leaves = first.starts - first.travel_minutes
        timed[0] = RoutedStop(
            first.stop_id, first.starts, first.starts, first.departs, first.travel_minutes
        )
    return Route(vehicle.id, tuple(timed), leaves, t + back, total + back)


def evaluate_routes(
    assignment: Mapping[str, Sequence[str]],
    stops: Sequence[Stop],
    vehicles: Sequence[Vehicle],
    *,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    matrix: Mapping[str, Mapping[str, float]] | None = None,
) -> list[Route]:
    """Times a given order of stops per vehicle id (the booking-order baseline, a plan
    read back from storage) with the same travel times the planner uses."""
    _validate(stops, vehicles)
    travel = _Travel(stops, vehicles, speed_kmh, matrix)
    by_id = {s.id: s for s in stops}
    routes = []
    for k, v in enumerate(vehicles):
        try:
            ordered = [by_id[sid] for sid in assignment.get(v.id, ())]
        except KeyError as missing:
            raise ValueError(f"Stop {missing} is not among the day's stops.") from None
        routes.append(_timed(v, ordered, travel, k))
    return routes


def booking_order(
    stops: Sequence[Stop],
    vehicles: Sequence[Vehicle],
    *,
    nurse_delivery_minutes: int = DEFAULT_NURSE_DELIVERY_MINUTES,
) -> dict[str, list[str]]:
    """The baseline a plan is measured against: what a coordinator does without a planner,
    under the same rules as the plan. The stops are dealt round-robin in booking order (the
    order of ``stops``) to the nurses and drivers able to take them, and each visits hers in
    that order. Nurse-only stops go to the nurses. When the pharmacy keeps deliveries off
    nurses' routes (``nurse_delivery_minutes`` above 0) and a driver is on shift, the other
    deliveries go to the drivers, as the plan is told to do; at 0 they go to anyone.

    Dealing them to anyone under that rule would set the plan, which drives a little more to
    keep its nurses nursing, against a day the pharmacy would not run (nurses carrying most
    of the deliveries)."""
    routes: dict[str, list[str]] = {v.id: [] for v in vehicles}
    nurses = [v for v in vehicles if v.is_nurse]
    drivers = [v for v in vehicles if not v.is_nurse]
    carriers = drivers if nurse_delivery_minutes > 0 and drivers else list(vehicles)
    turn = {True: 0, False: 0}
    for stop in stops:
        able = nurses if stop.nurse_only else carriers
        if able:
            routes[able[turn[stop.nurse_only] % len(able)].id].append(stop.id)
            turn[stop.nurse_only] += 1
    return routes


@dataclass(frozen=True)
class Proposal:
    """A day's plan beside its baseline (booking order, timed the same way)."""

    plan: Plan
    baseline: tuple[Route, ...]
    baseline_missed: int  # windows booking order misses (``windows_missed``)

    @property
    def baseline_travel_minutes(self) -> int:
        return sum(r.travel_minutes for r in self.baseline)


def propose_day(
    stops: Sequence[Stop],
    vehicles: Sequence[Vehicle],
    *,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    matrix: Mapping[str, Mapping[str, float]] | None = None,
    time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS,
    nurse_delivery_minutes: int = DEFAULT_NURSE_DELIVERY_MINUTES,
) -> Proposal:
    """What the app proposes for a day (``homecare.services.route_propose``; the bench runs
    the same): the planner's routes and the booking-order baseline. When booking order
    already keeps every window and shift and the search came back with more driving or a
    stop left out (a short search on a big day), booking order is proposed instead: a
    coordinator is never offered a plan worse than the day as booked."""
    plan = plan_routes(
        stops,
        vehicles,
        speed_kmh=speed_kmh,
        matrix=matrix,
        time_limit_seconds=time_limit_seconds,
        nurse_delivery_minutes=nurse_delivery_minutes,
    )
    order = booking_order(stops, vehicles, nurse_delivery_minutes=nurse_delivery_minutes)
    baseline = evaluate_routes(order, stops, vehicles, speed_kmh=speed_kmh, matrix=matrix)
    missed = windows_missed(baseline, stops, vehicles)
    routed = sum(len(r.stops) for r in baseline)
    travel = sum(r.travel_minutes for r in baseline)
    if not missed and routed == len(stops) and (plan.unplaced or travel < plan.travel_minutes):
        plan = Plan(
            routes=tuple(baseline),
            unplaced=(),
            travel_minutes=travel,
            solve_seconds=plan.solve_seconds,
            notes=(*plan.notes, "The search found nothing better than booking order."),
        )
    return Proposal(plan, tuple(baseline), missed)


def windows_missed(
    routes: Sequence[Route], stops: Sequence[Stop], vehicles: Sequence[Vehicle]
) -> int:
    """Stops whose service starts outside their window, nurse-only stops on a driver's
    route, and routes back after the shift's end: each counts once."""
    by_id = {s.id: s for s in stops}
    shift = {v.id: v for v in vehicles}
    missed = 0
    for route in routes:
        v = shift[route.vehicle_id]
        for rs in route.stops:
            stop = by_id[rs.stop_id]
            late = not stop.window_start <= rs.starts <= stop.window_end
            missed += int(late or (stop.nurse_only and not v.is_nurse))
        missed += int(route.returns > v.shift_end)
    return missed
