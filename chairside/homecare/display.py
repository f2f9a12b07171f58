"""What the pages show of a route plan: rows per nurse or driver, and an SVG map's points.

Presentation only (clock strings, colours, a flat projection of the day's points into the
map's box); the plan itself comes from the optimiser through the services.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from chairside.homecare.models import DeliveryTicket, HomeVisit, RoutePlan

COLOURS = ("#1f6f8b", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#2c3e50", "#b7950b", "#16a085")
MAP_W, MAP_H, PAD = 640, 420, 24


def clock(minute: int) -> str:
    days, rest = divmod(int(minute), 1440)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{text} (+{days}d)" if days else text


@dataclass
class Row:
    number: int
    kind: str
    record: DeliveryTicket | HomeVisit | None
    starts: str
    arrives: str
    travel: int
    x: float = 0
    y: float = 0


@dataclass
class RouteView:
    name: str
    kind: str
    colour: str
    leaves: str
    returns: str
    travel_minutes: int
    rows: list[Row] = field(default_factory=list)
    path: str = ""


@dataclass
class PlanView:
    plan: RoutePlan
    routes: list[RouteView]
    unplaced: list[tuple[Any, str]]
    depot: tuple[float, float]
    saved_percent: int
    booking_order_missed: int | None = None  # None: a plan proposed before this was kept
    notes: list[str] = field(default_factory=list)


def _project(points: list[tuple[float, float]]) -> Any:
    """An equirectangular projection of the day's points into the map box (north up)."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    lat0 = (min(lats) + max(lats)) / 2
    kx = math.cos(math.radians(lat0))
    span_x = max((max(lons) - min(lons)) * kx, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((MAP_W - 2 * PAD) / span_x, (MAP_H - 2 * PAD) / span_y)

    def to_xy(p: tuple[float, float]) -> tuple[float, float]:
        x = PAD + (p[1] - min(lons)) * kx * scale
        y = MAP_H - PAD - (p[0] - min(lats)) * scale
        return round(x, 1), round(y, 1)

    return to_xy


def plan_view(plan: RoutePlan, records: dict[str, DeliveryTicket | HomeVisit]) -> PlanView:
    """The plan's routes with the stops' records (a stop deleted since shows as gone)."""
    result = plan.result
    depot = (float(result["depot"][0]), float(result["depot"][1]))
    points = [depot] + [
        (float(r.patient.home_address.latitude), float(r.patient.home_address.longitude))
        for r in records.values()
    ]
    to_xy = _project(points)
    dx, dy = to_xy(depot)
    routes: list[RouteView] = []
    for n, route in enumerate(result["routes"]):
        view = RouteView(
            name=route["name"],
            kind=route["kind"],
            colour=COLOURS[n % len(COLOURS)],
            leaves=clock(route["leaves"]),
            returns=clock(route["returns"]),
            travel_minutes=route["travel_minutes"],
        )
        path = [f"M{dx},{dy}"]
        for k, s in enumerate(route["stops"], start=1):
            record = records.get(s["key"])
            row = Row(
                k,
                s["key"].split(":")[0],
                record,
                clock(s["starts"]),
                clock(s["arrives"]),
                s["travel"],
            )
            if record is not None:
                home = record.patient.home_address
                row.x, row.y = to_xy((float(home.latitude), float(home.longitude)))
                path.append(f"L{row.x},{row.y}")
            view.rows.append(row)
        path.append(f"L{dx},{dy}")
        view.path = " ".join(path) if view.rows else ""
        routes.append(view)
    unplaced = [(records.get(u["key"]), u["reason"]) for u in result["unplaced"]]
    base = plan.booking_order_travel_minutes
    saved = round(100 * (1 - plan.travel_minutes / base)) if base else 0
    return PlanView(
        plan,
        routes,
        unplaced,
        (dx, dy),
        saved,
        result.get("booking_order_windows_missed"),
        list(result.get("notes", [])),
    )
