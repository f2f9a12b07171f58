"""What a scenario's page, comparison, CSV and PDF show: the plan turned into rows and charts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chairside.analytics import charts
from chairside.analytics.models import PlanScenario
from chairside.analytics.plan import Plan, compute_plan, simulation_configs
from chairside.rules.interop.csv_safe import to_csv

SIM_METRICS = (
    ("wait_minutes", "Average wait per patient (min)", 1),
    ("chair_utilization", "Chair utilization", 100),
    ("nurse_utilization", "Nurse workload (% of scheduled hours)", 100),
    ("overtime_minutes", "Open past closing (min)", 1),
    ("nurse_overtime_hours", "Nurse overtime (hours/day)", 1),
    ("treated", "Patients treated a day", 1),
)


def headline(plan: Plan) -> list[tuple[str, str, str]]:
    """The few numbers a reader wants first: (label, value, hint)."""
    months = plan.month_reached
    return [
        (
            "Treatments a week",
            f"{plan.demand.treatments_per_week:,.0f}",
            f"{plan.demand.patients:,.0f} patients",
        ),
        (
            "Chairs needed",
            str(plan.capacity.chairs),
            f"{plan.capacity.nurses_on_floor} nurse(s) on the floor, "
            f"{plan.capacity.nurse_ftes} FTE",
        ),
        (
            "Break-even, treatments a month",
            f"{plan.break_even:,}" if plan.break_even else "never",
            f"fixed costs ${plan.fixed_total:,.0f}, margin ${plan.margin_per_treatment:,.2f}",
        ),
        (
            "Break-even month",
            f"month {months}" if months else "not within the horizon",
            f"cash to fund the ramp ${plan.cash_for_ramp:,.0f}",
        ),
        (
            "Opening drug cash",
            f"${plan.inventory_cash:,.0f}",
            f"drug spend ${plan.drug_cost_per_month:,.0f}/month at full demand",
        ),
    ]


def plan_charts(plan: Plan) -> dict[str, dict[str, Any]]:
    ramp = plan.ramp
    months = [f"M{r.month}" for r in ramp]
    return {
        "demand": charts.bar(
            [line.label for line in plan.demand.lines],
            [("Treatments / week", [line.treatments_per_week for line in plan.demand.lines])],
            horizontal=True,
        ),
        "ramp": charts.line(
            months,
            [
                ("Net result of the month", [r.net for r in ramp]),
                ("Cumulative", [r.cumulative for r in ramp]),
            ],
            y_title="dollars",
            money=True,
        ),
        "volume": charts.bar(
            months,
            [("Treatments", [r.treatments for r in ramp])],
            y_title="treatments / month",
        ),
        "costs": charts.doughnut(
            [k for k, v in plan.fixed.items() if v], [v for _, v in plan.fixed.items() if v]
        ),
        "margins": charts.bar(
            [m.name for m in plan.margins],
            [
                ("Revenue", [m.revenue for m in plan.margins]),
                ("Drug and supplies cost", [m.drug_cost for m in plan.margins]),
            ],
            money=True,
            horizontal=True,
            y_title="dollars per treatment",
        ),
        "site": charts.bar(
            [c.site for c in plan.site_costs],
            [
                ("Payer pays", [c.payer_pays for c in plan.site_costs]),
                ("Patient pays", [c.patient_pays for c in plan.site_costs]),
            ],
            stacked=True,
            money=True,
            y_title="dollars for the course",
        ),
    }


def simulation_view(scenario: PlanScenario) -> dict[str, Any] | None:
    """Side-by-side rows and charts of a stored simulation, or None before it has run."""
    sim = scenario.simulation
    if not sim:
        return None
    rows = []
    for key, label, scale in SIM_METRICS:
        a, b = sim["a"][key], sim["b"][key]
        rows.append((label, _scaled(a, scale), _scaled(b, scale)))
    bins = len(sim["a"]["wait_histogram"])
    labels = [f"{15 * i}–{15 * (i + 1)}" for i in range(bins - 1)] + [f"{15 * (bins - 1)}+"]
    return {
        "days": sim["a"]["days"],
        "rows": rows,
        "charts": {
            "waits": charts.bar(
                labels,
                [("A", sim["a"]["wait_histogram"]), ("B", sim["b"]["wait_histogram"])],
                y_title="patients (all days)",
            ),
            "spread": charts.bar(
                ["Wait p10", "Wait p50", "Wait p90", "Overtime p50", "Overtime p90"],
                [(side.upper(), _spread_values(sim[side])) for side in ("a", "b")],
                y_title="minutes",
            ),
        },
    }


def _spread_values(side: dict[str, Any]) -> list[float]:
    wait, overtime = side["wait_minutes"], side["overtime_minutes"]
    return [wait["p10"], wait["p50"], wait["p90"], overtime["p50"], overtime["p90"]]


def _scaled(spread: dict[str, float], scale: int) -> dict[str, str]:
    suffix = "%" if scale == 100 else ""
    return {k: f"{spread[k] * scale:,.1f}{suffix}" for k in ("p10", "p50", "p90")}


def scenario_context(scenario: PlanScenario) -> dict[str, Any]:
    plan = compute_plan(scenario.inputs)
    configs = simulation_configs(plan)
    return {
        "scenario": scenario,
        "plan": plan,
        "headline": headline(plan),
        "charts": plan_charts(plan),
        "sim": simulation_view(scenario),
        "configs": configs,
        "site_difference": plan.site_costs[1].allowed - plan.site_costs[0].allowed,
        "patient_difference": plan.site_costs[1].patient_pays - plan.site_costs[0].patient_pays,
        "working": ramp_working(plan),
    }


def _dollars(amount: Decimal) -> str:
    """Whole dollars with a true minus sign: −$30,944."""
    return f"−${-amount:,.0f}" if amount < 0 else f"${amount:,.0f}"


def ramp_working(plan: Plan, months: int = 6) -> dict[str, Any]:
    """The arithmetic behind break-even and the opening cash, for the page to show."""
    ratio = None
    if plan.margin_per_treatment > 0:
        ratio = (plan.fixed_total / plan.margin_per_treatment).quantize(Decimal("0.01"))
    lowest = min(plan.ramp_cash, key=lambda c: c.position, default=None)
    return {
        "ratio": ratio,
        "start": plan.ramp[0].treatments if plan.ramp else 0,
        "rows": [
            (r, c, _dollars(r.cumulative), _dollars(c.position))
            for r, c in zip(plan.ramp[:months], plan.ramp_cash[:months], strict=True)
        ],
        "lowest_month": lowest.month if lowest is not None and lowest.position < 0 else None,
    }


def comparison_rows(plans: list[Plan]) -> list[tuple[str, list[str]]]:
    """The headline of each plan in one row per figure, for the comparison page."""
    heads = [headline(p) for p in plans]
    return [(heads[0][i][0], [h[i][1] for h in heads]) for i in range(len(heads[0]))]


def csv_export(scenario: PlanScenario) -> str:
    """Inputs, then results, as section,item,value rows (a spreadsheet opens it)."""
    plan = compute_plan(scenario.inputs)
    rows: list[list[Any]] = []
    rows.append(["section", "item", "value"])
    rows.append(["scenario", "name", scenario.name])
    for name, value in sorted(scenario.inputs.items()):
        rows.append(["input", name, value])
    for label, value, hint in headline(plan):
        rows.append(["result", label, f"{value} ({hint})"])
    for line in plan.demand.lines:
        rows.append(["demand", line.label, f"{line.treatments_per_week} treatments/week"])
    for label, amount in plan.fixed.items():
        rows.append(["fixed cost", label, amount])
    for m in plan.margins:
        rows.append(["margin per treatment", m.name, m.margin])
    for r in plan.ramp:
        rows.append(["ramp", f"month {r.month}", f"{r.treatments} treatments, net {r.net}"])
    for c in plan.site_costs:
        rows.append(["site of care", c.site, f"payer {c.payer_pays}, patient {c.patient_pays}"])
    sim = simulation_view(scenario)
    for label, a, b in sim["rows"] if sim else []:
        rows.append(["simulation p50", label, f"A {a['p50']} / B {b['p50']}"])
    return to_csv(rows)


def svg_bars(values: list[Decimal], width: int = 640, height: int = 160) -> str:
    """A small SVG bar chart (for the PDF, where no JavaScript runs); negative bars in red."""
    if not values:
        return ""
    top = max(*values, Decimal(0))
    bottom = min(*values, Decimal(0))
    span = (top - bottom) or Decimal(1)
    step = width / len(values)
    zero = float(top / span) * height
    bars = []
    for i, v in enumerate(values):
        h = abs(float(v / span)) * height
        y = zero - h if v >= 0 else zero
        color = "#0f6e6e" if v >= 0 else "#a32020"
        bars.append(
            f'<rect x="{i * step + 1:.1f}" y="{y:.1f}" width="{step - 2:.1f}" '
            f'height="{h:.1f}" fill="{color}"/>'
        )
    axis = f'<line x1="0" x2="{width}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#5d6b7a"/>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(bars)}{axis}</svg>'
    )
