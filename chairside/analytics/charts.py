"""Chart.js configurations built on the server; the page only hands them to Chart.js.

Each function returns a plain dict (JSON-safe) for ``{{ config|json_script }}``; the small
``analytics/charts.js`` draws every ``<canvas data-chart>`` from its configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PALETTE = ["#0f6e6e", "#e0a800", "#5b6cc2", "#c2185b", "#2e7d32", "#8d6e63", "#00838f"]
A_COLOR, B_COLOR = "#0f6e6e", "#e0a800"


def _num(value: Any) -> float:
    return float(value)


def bar(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Any]]],
    *,
    horizontal: bool = False,
    stacked: bool = False,
    y_title: str = "",
    money: bool = False,
) -> dict[str, Any]:
    datasets = [
        {
            "label": name,
            "data": [_num(v) for v in values],
            "backgroundColor": PALETTE[i % 7],
            "maxBarThickness": 56,
        }
        for i, (name, values) in enumerate(series)
    ]
    axis = "y" if horizontal else "x"
    value_axis = "x" if horizontal else "y"
    return {
        "type": "bar",
        "data": {"labels": list(labels), "datasets": datasets},
        "options": {
            "indexAxis": axis,
            "responsive": True,
            "maintainAspectRatio": False,
            "plugins": {"legend": {"display": len(series) > 1}},
            "scales": {
                axis: {"stacked": stacked},
                value_axis: {
                    "stacked": stacked,
                    "beginAtZero": True,
                    "title": {"display": bool(y_title), "text": y_title},
                },
            },
            "chairside": {"money": money},
        },
    }


def line(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Any]]],
    *,
    y_title: str = "",
    money: bool = False,
) -> dict[str, Any]:
    datasets = [
        {
            "label": name,
            "data": [_num(v) for v in values],
            "borderColor": PALETTE[i % 7],
            "backgroundColor": PALETTE[i % 7],
            "tension": 0.2,
            "pointRadius": 2,
        }
        for i, (name, values) in enumerate(series)
    ]
    return {
        "type": "line",
        "data": {"labels": list(labels), "datasets": datasets},
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "scales": {"y": {"title": {"display": bool(y_title), "text": y_title}}},
            "chairside": {"money": money},
        },
    }


def doughnut(labels: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    return {
        "type": "doughnut",
        "data": {
            "labels": list(labels),
            "datasets": [{"data": [_num(v) for v in values], "backgroundColor": PALETTE}],
        },
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "plugins": {"legend": {"position": "right"}},
        },
    }
