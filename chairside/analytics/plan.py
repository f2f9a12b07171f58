"""The planner's inputs (one flat, named set per scenario) and the plan computed from them.

Inputs are stored as strings in the scenario's JSON, so the set can grow: a missing input
takes its default. Every calculation is a call into ``chairside.rules``; this module only
maps inputs to rules and gathers the results. Drug facts (regimens, infusion times, HCPCS
billing units) come from the reference formulary; ASP is its DEMO payment limit / 1.06,
and drugs are bought at the planner's share of ASP (input ``acquisition_pct_asp``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from chairside.formulary.services import reference_formulary
from chairside.rules.billing import site_of_care as rs
from chairside.rules.clinical.regimens import DoseRule, Regimen, dose_mg
from chairside.rules.planning import demand as rd
from chairside.rules.planning import planning as rp
from chairside.rules.planning.capacity_sim import DayConfig, Shift, VisitType

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # int, decimal, percent, time, drug, choice
    default: str
    section: str
    help: str = ""


CONDITION_DEFAULTS = {
    # condition: (share on an infused drug %, capture share %, drug). Assumptions to edit.
    "ra": ("8", "20", "infliximab"),
    "crohns": ("25", "20", "infliximab"),
    "uc": ("15", "20", "vedolizumab"),
    "ms": ("35", "25", "ocrelizumab"),
    "psoriasis": ("1", "10", "infliximab"),
}

SECTIONS = {
    "demand": "Demand: who will come",
    "capacity": "Opening hours and staffing assumptions",
    "costs": "Fixed monthly costs (illustrative — enter your own)",
    "revenue": "Payer mix and fees (illustrative — enter your contracts)",
    "ramp": "Ramp-up and opening cash",
    "simulation": "Capacity simulation: scenario A against scenario B",
    "site": "Site of care: one course, office against hospital outpatient (illustrative fees)",
}


def _condition_fields() -> list[Field]:
    fields = []
    for key, (infused, capture, drug) in CONDITION_DEFAULTS.items():
        condition = rd.PUBLISHED_PREVALENCE[key]
        name = condition.name
        fields += [
            Field(
                f"{key}_prevalence",
                f"{name}: prevalence %",
                "percent",
                str((condition.prevalence * HUNDRED).normalize()),
                "demand",
                "Published figure; source listed under the results.",
            ),
            Field(f"{key}_infused", f"{name}: % on an infused drug", "percent", infused, "demand"),
            Field(f"{key}_capture", f"{name}: % the center captures", "percent", capture, "demand"),
            Field(f"{key}_drug", f"{name}: drug", "drug", drug, "demand"),
        ]
    return fields


FIELDS: tuple[Field, ...] = (
    Field(
        "adult_population",
        "Adults in the catchment area",
        "int",
        "400000",
        "demand",
        "Or the adult panel size of the referring practices.",
    ),
    *_condition_fields(),
    Field("opens_at", "Opens at", "time", "07:00", "capacity"),
    Field("closes_at", "Closes at", "time", "17:00", "capacity"),
    Field("open_days_per_week", "Open days a week", "int", "5", "capacity"),
    Field("target_utilization", "Target chair utilization %", "percent", "75", "capacity"),
    Field("nurse_ratio", "Patients per nurse (ratio)", "int", "4", "capacity"),
    Field("start_minutes", "Nurse start minutes (IV, vitals)", "int", "15", "capacity"),
    Field("discharge_minutes", "Discharge minutes", "int", "10", "capacity"),
    Field("rent", "Rent and utilities / month", "decimal", "9000", "costs"),
    Field("nurse_hourly_rate", "Nurse hourly rate", "decimal", "48", "costs"),
    Field("nurse_shift_hours", "Nurse shift hours", "decimal", "10", "costs"),
    Field(
        "minimum_paid_hours",
        "Minimum paid hours per shift",
        "decimal",
        "8",
        "costs",
        "A nurse called in for a short day is still paid this.",
    ),
    Field("benefits", "Payroll taxes and benefits %", "percent", "25", "costs"),
    Field("coordinator", "Coordinator / front desk / month", "decimal", "5500", "costs"),
    Field("supplies", "Fixed supplies / month", "decimal", "1500", "costs"),
    Field("software", "Software / month", "decimal", "900", "costs"),
    Field("management_fee", "Management fee / month (fixed part)", "decimal", "0", "costs"),
    Field("other_costs", "Other fixed costs / month", "decimal", "1000", "costs"),
    Field(
        "medicare_share",
        "Medicare Part B share %",
        "percent",
        "45",
        "revenue",
        "Paid ASP + 6% less the 2% sequestration; the patient owes 20%.",
    ),
    Field(
        "acquisition_pct_asp",
        "Drug acquisition cost, % of ASP",
        "percent",
        "100",
        "revenue",
        "What the distributor charges, against the drug's ASP. ASP is the makers' average "
        "net sales price to all buyers (SSA 1847A(c)), so a practice buys near it: OIG "
        "A-09-05-00066 found most practices paid at or below ASP + 6%, some above.",
    ),
    Field("commercial_share", "Commercial share %", "percent", "45", "revenue"),
    Field("commercial_asp", "Commercial pays % of ASP", "percent", "120", "revenue"),
    Field("medicaid_share", "Medicaid share %", "percent", "10", "revenue"),
    Field("medicaid_asp", "Medicaid pays % of ASP", "percent", "95", "revenue"),
    Field(
        "admin_payment",
        "Administration payment per treatment",
        "decimal",
        "160",
        "revenue",
        "What payers allow for the CPT administration codes of one visit.",
    ),
    Field("variable_supplies", "Supplies per treatment", "decimal", "25", "revenue"),
    Field(
        "patient_weight_kg",
        "Typical patient weight (kg)",
        "decimal",
        "80",
        "revenue",
        "For weight-based doses such as infliximab.",
    ),
    Field("start_treatments", "Treatments in the opening month", "int", "60", "ramp"),
    Field("monthly_growth", "Growth per month (treatments)", "int", "25", "ramp"),
    Field("ramp_months", "Months to project", "int", "24", "ramp"),
    Field("days_on_hand", "Drug days on hand", "int", "14", "ramp"),
    Field("vendor_terms_days", "Distributor payment terms (days)", "int", "30", "ramp"),
    Field("collection_days", "Days to collect a claim", "int", "35", "ramp"),
    Field("a_chairs", "A: chairs", "int", "8", "simulation"),
    Field("a_day_nurses", "A: day-shift nurses", "int", "2", "simulation"),
    Field("a_evening_nurses", "A: late-shift nurses", "int", "0", "simulation"),
    Field("a_closes_at", "A: closes at", "time", "17:00", "simulation"),
    Field("b_chairs", "B: chairs", "int", "10", "simulation"),
    Field("b_day_nurses", "B: day-shift nurses", "int", "2", "simulation"),
    Field("b_evening_nurses", "B: late-shift nurses", "int", "1", "simulation"),
    Field("b_closes_at", "B: closes at", "time", "19:00", "simulation"),
    Field("patients_per_day", "Patients booked a day (0 = from demand)", "int", "0", "simulation"),
    Field("pharmacy_minutes", "Pharmacy preparation minutes (mean)", "int", "20", "simulation"),
    Field("pharmacists", "People preparing drugs", "int", "1", "simulation"),
    Field("no_show", "No-show rate %", "percent", "5", "simulation"),
    Field("arrival_pattern", "Arrival pattern", "choice", "even", "simulation"),
    Field("sim_days", "Days to simulate", "int", "200", "simulation"),
    Field("course_treatments", "Treatments in the course", "int", "7", "site"),
    Field("office_drug", "Office: drug allowed / treatment", "decimal", "2500", "site"),
    Field("office_admin", "Office: administration / treatment", "decimal", "150", "site"),
    Field("hopd_drug", "Hospital: drug allowed / treatment", "decimal", "2500", "site"),
    Field("hopd_admin", "Hospital: administration / treatment", "decimal", "300", "site"),
    Field("hopd_facility", "Hospital: facility fee / treatment", "decimal", "450", "site"),
    Field("coinsurance", "Patient coinsurance %", "percent", "20", "site"),
    Field("deductible_remaining", "Deductible still to meet", "decimal", "250", "site"),
)
FIELDS_BY_NAME = {f.name: f for f in FIELDS}
ARRIVAL_CHOICES = [("even", "Spread over the day"), ("morning", "Most in the morning")]


def default_inputs() -> dict[str, str]:
    return {f.name: f.default for f in FIELDS}


@cache
def reference_drugs() -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in reference_formulary() if not row.get("premedication", False)}


def drug_choices() -> list[tuple[str, str]]:
    drugs = reference_drugs().values()
    return [(d["key"], f"{d['generic_name']} ({d.get('brand_name') or d['hcpcs']})") for d in drugs]


class Inputs:
    """Typed reads of the stored strings; a missing or empty value takes the default."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = {**default_inputs(), **{k: v for k, v in raw.items() if v not in (None, "")}}

    def dec(self, name: str) -> Decimal:
        return Decimal(str(self.raw[name]))

    def pct(self, name: str) -> Decimal:
        return self.dec(name) / HUNDRED

    def whole(self, name: str) -> int:
        return int(str(self.raw[name]))

    def minutes(self, name: str) -> int:
        value = dt.time.fromisoformat(str(self.raw[name])[:5])
        return value.hour * 60 + value.minute

    def text(self, name: str) -> str:
        return str(self.raw[name])


@dataclass(frozen=True)
class DrugLine:
    condition: rd.Condition
    drug: dict[str, Any]
    doses_per_year: Decimal
    chair_minutes: int
    units_per_treatment: int


@dataclass(frozen=True)
class Plan:
    inputs: Inputs
    lines: list[DrugLine]
    demand: rd.Demand
    capacity: rd.CapacityNeed
    fixed: rp.FixedCosts
    fixed_total: Decimal
    margins: list[rp.TreatmentMargin]
    margin_per_treatment: Decimal
    break_even: int | None
    month_reached: int | None
    ramp: list[rp.RampMonth]
    ramp_cash: list[rp.CashMonth]
    cash_for_ramp: Decimal
    monthly_capacity: int
    drug_cost_per_month: Decimal
    inventory_cash: Decimal
    site_costs: list[rs.CourseCost]


def compute_plan(raw: dict[str, Any]) -> Plan:
    """The whole plan; raises ValueError (from the rules) with a message for bad input."""
    inputs = Inputs(raw)
    lines = [_drug_line(inputs, key) for key in CONDITION_DEFAULTS]
    demand = rd.project_demand(inputs.whole("adult_population"), _demand_lines(inputs, lines))
    hours = Decimal(inputs.minutes("closes_at") - inputs.minutes("opens_at")) / 60
    if hours <= 0:
        raise ValueError("the center must close after it opens")
    capacity = rd.capacity_needed(
        demand.chair_hours_per_week,
        open_hours_per_day=hours,
        open_days_per_week=inputs.whole("open_days_per_week"),
        target_utilization=inputs.pct("target_utilization"),
        nurse_ratio=inputs.whole("nurse_ratio"),
    )
    fixed = _fixed_costs(inputs, max(1, capacity.nurses_on_floor))
    fixed_total = rp.fixed_monthly_cost(fixed)
    drugs = _economics(inputs, lines, demand)
    margins = rp.treatment_margins(drugs, _payers(inputs))
    margin = rp.blended_margin_per_treatment(drugs, _payers(inputs))
    return _finish(
        inputs=inputs,
        lines=lines,
        demand=demand,
        capacity=capacity,
        fixed=fixed,
        fixed_total=fixed_total,
        drugs=drugs,
        margins=margins,
        margin=margin,
    )


def _finish(
    *,
    inputs: Inputs,
    lines: list[DrugLine],
    demand: rd.Demand,
    capacity: rd.CapacityNeed,
    fixed: rp.FixedCosts,
    fixed_total: Decimal,
    drugs: list[rp.DrugEconomics],
    margins: list[rp.TreatmentMargin],
    margin: Decimal,
) -> Plan:
    # What the recommended chairs can deliver a month at the target utilization: the ramp
    # cannot grow past it without more chairs.
    monthly_capacity = _monthly_capacity(inputs, capacity, demand)
    ramp = rp.ramp_up(
        fixed_total,
        margin,
        inputs.whole("start_treatments"),
        inputs.whole("monthly_growth"),
        inputs.whole("ramp_months"),
        ceiling=max(monthly_capacity, inputs.whole("start_treatments")),
    )
    positive = margin > 0
    drug_cost = (
        sum(
            (d.share * d.acquisition_cost_per_unit * d.units_per_treatment for d in drugs),
            Decimal(0),
        )
        * demand.treatments_per_month
    )
    return Plan(
        inputs=inputs,
        lines=lines,
        demand=demand,
        capacity=capacity,
        fixed=fixed,
        fixed_total=fixed_total,
        margins=margins,
        margin_per_treatment=margin,
        break_even=rp.break_even_treatments_per_month(fixed_total, margin) if positive else None,
        month_reached=_month_reached(ramp, positive),
        ramp=ramp,
        ramp_cash=rp.ramp_cash(ramp, collection_days=inputs.whole("collection_days")),
        cash_for_ramp=rp.cash_to_fund_ramp(ramp, collection_days=inputs.whole("collection_days")),
        monthly_capacity=monthly_capacity,
        drug_cost_per_month=drug_cost.quantize(Decimal("0.01")),
        inventory_cash=rp.opening_inventory_cash(
            drug_cost,
            days_on_hand=inputs.whole("days_on_hand"),
            vendor_terms_days=inputs.whole("vendor_terms_days"),
            collection_days=inputs.whole("collection_days"),
        ),
        site_costs=_site_costs(inputs),
    )


def _month_reached(ramp: list[rp.RampMonth], positive: bool) -> int | None:
    if not positive:
        return None
    return next((r.month for r in ramp if r.net >= 0), None)


def _monthly_capacity(inputs: Inputs, capacity: rd.CapacityNeed, demand: rd.Demand) -> int:
    if demand.treatments_per_week == 0:
        return 0
    hours_per_treatment = demand.chair_hours_per_week / demand.treatments_per_week
    usable = capacity.open_hours_per_week * capacity.chairs * inputs.pct("target_utilization")
    return int(usable / hours_per_treatment * rd.WEEKS_PER_YEAR / 12)


def _drug_line(inputs: Inputs, key: str) -> DrugLine:
    drug_key = inputs.text(f"{key}_drug")
    drug = reference_drugs().get(drug_key)
    if drug is None:
        raise ValueError(f"{drug_key!r} is not a drug of the reference formulary")
    regimen = drug["regimens"][0]
    doses = rd.annual_doses(
        Regimen(tuple(regimen["loading_days"]), regimen["maintenance_interval_days"]), 2
    )
    if doses == 0:  # a fixed course (e.g. rituximab for RA) is repeated about twice a year
        doses = 2 * len(regimen["loading_days"])
    minutes = (
        int(drug.get("subsequent_infusion_minutes") or 0)
        + int(drug.get("observation_minutes") or 0)
        + inputs.whole("start_minutes")
        + inputs.whole("discharge_minutes")
    )
    return DrugLine(
        condition=rd.PUBLISHED_PREVALENCE[key],
        drug=drug,
        doses_per_year=Decimal(doses),
        chair_minutes=max(1, minutes),
        units_per_treatment=_units(drug, regimen, inputs.dec("patient_weight_kg")),
    )


def _units(drug: dict[str, Any], regimen: dict[str, Any], weight: Decimal) -> int:
    """HCPCS billing units of a maintenance dose for the typical weight (rounded up)."""
    dose = regimen.get("maintenance_dose") or regimen["dose"]
    rule = DoseRule(
        mg=_opt(dose.get("mg")),
        mg_per_kg=_opt(dose.get("mg_per_kg")),
        max_mg=_opt(dose.get("max_mg")),
    )
    mg = dose_mg(rule, weight)
    return max(1, math.ceil(mg / Decimal(str(drug["billing_unit_mg"]))))


def _opt(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _demand_lines(inputs: Inputs, lines: list[DrugLine]) -> list[rd.DemandLine]:
    return [
        rd.DemandLine(
            label=f"{line.condition.name} — {line.drug['generic_name']}",
            prevalence=inputs.pct(f"{line.condition.key}_prevalence"),
            infused_share=inputs.pct(f"{line.condition.key}_infused"),
            capture_share=inputs.pct(f"{line.condition.key}_capture"),
            doses_per_year=line.doses_per_year,
            chair_minutes=line.chair_minutes,
        )
        for line in lines
    ]


def _fixed_costs(inputs: Inputs, nurses: int) -> rp.FixedCosts:
    days_per_month = Decimal(inputs.whole("open_days_per_week")) * rd.WEEKS_PER_YEAR / 12
    payroll = rp.nurse_payroll_per_month(
        rp.NurseStaffing(
            nurses_per_day=nurses,
            shift_hours=inputs.dec("nurse_shift_hours"),
            minimum_paid_hours=inputs.dec("minimum_paid_hours"),
            hourly_rate=inputs.dec("nurse_hourly_rate"),
            open_days_per_month=days_per_month,
            benefits_share=inputs.pct("benefits"),
        )
    )
    return rp.FixedCosts(
        rent=inputs.dec("rent"),
        nurse_payroll=payroll,
        coordinator=inputs.dec("coordinator"),
        supplies=inputs.dec("supplies"),
        software=inputs.dec("software"),
        management_fee=inputs.dec("management_fee"),
        other=inputs.dec("other_costs"),
    )


def _payers(inputs: Inputs) -> list[rp.PayerShare]:
    return [
        rp.PayerShare("Medicare Part B", "medicare_b", inputs.pct("medicare_share")),
        rp.PayerShare(
            "Commercial", "commercial", inputs.pct("commercial_share"), inputs.pct("commercial_asp")
        ),
        rp.PayerShare(
            "Medicaid", "medicaid", inputs.pct("medicaid_share"), inputs.pct("medicaid_asp")
        ),
    ]


def _economics(inputs: Inputs, lines: list[DrugLine], demand: rd.Demand) -> list[rp.DrugEconomics]:
    """One entry per drug line, weighted by its share of the projected treatments."""
    total = demand.treatments_per_week
    count = len(lines)
    acquisition = inputs.pct("acquisition_pct_asp")
    result = []
    for line, projected in zip(lines, demand.lines, strict=True):
        prices = line.drug.get("demo_prices") or {}
        limit = Decimal(str(prices.get("payment_limit_per_unit", "0")))
        asp = (limit / rp.ASP_ADD_ON).quantize(Decimal("0.001"))
        share = projected.treatments_per_week / total if total else Decimal(1) / count
        result.append(
            rp.DrugEconomics(
                name=projected.label,
                share=share,
                units_per_treatment=line.units_per_treatment,
                # The demo file gives a payment limit (ASP + 6%); ASP is that over 1.06.
                asp_per_unit=asp,
                # Bought at the planner's share of ASP, not the formulary's demo cost: a center
                # that is not open yet has no purchase prices, and the buy-and-bill margin is
                # the gap between ASP-based payment and this cost.
                acquisition_cost_per_unit=(asp * acquisition).quantize(Decimal("0.001")),
                administration_payment=inputs.dec("admin_payment"),
                variable_supplies=inputs.dec("variable_supplies"),
            )
        )
    # Rounding each share can leave the sum a hair off 1: give the remainder to the last.
    if result and total:
        rest = Decimal(1) - sum((d.share for d in result[:-1]), Decimal(0))
        last = result[-1]
        result[-1] = rp.DrugEconomics(**{**last.__dict__, "share": rest})
    return result


def _site_costs(inputs: Inputs) -> list[rs.CourseCost]:
    sharing = rs.CostSharing(inputs.pct("coinsurance"), inputs.dec("deductible_remaining"))
    sites = [
        rs.SiteFees("Physician office", inputs.dec("office_drug"), inputs.dec("office_admin")),
        rs.SiteFees(
            "Hospital outpatient",
            inputs.dec("hopd_drug"),
            inputs.dec("hopd_admin"),
            inputs.dec("hopd_facility"),
        ),
    ]
    return rs.compare_sites(sites, inputs.whole("course_treatments"), sharing)


def simulation_configs(plan: Plan) -> dict[str, DayConfig]:
    """Scenario A and B of the capacity simulation, from the plan's inputs and drug mix."""
    inputs = plan.inputs
    visits = tuple(
        VisitType(
            line.drug["generic_name"], float(p.treatments_per_week) or 1.0, line.chair_minutes
        )
        for line, p in zip(plan.lines, plan.demand.lines, strict=True)
    )
    per_day = inputs.whole("patients_per_day") or round(
        plan.demand.treatments_per_week / inputs.whole("open_days_per_week")
    )
    return {side: _day(inputs, side, visits, per_day) for side in ("a", "b")}


def _day(inputs: Inputs, side: str, visits: tuple[VisitType, ...], per_day: int) -> DayConfig:
    opens = inputs.minutes("opens_at")
    closes = inputs.minutes(f"{side}_closes_at")
    shift = int(inputs.dec("nurse_shift_hours") * 60)
    shifts = [Shift(opens, min(24 * 60, opens + shift), inputs.whole(f"{side}_day_nurses"))]
    if inputs.whole(f"{side}_evening_nurses"):
        shifts.append(Shift(max(0, closes - shift), closes, inputs.whole(f"{side}_evening_nurses")))
    return DayConfig(
        chairs=inputs.whole(f"{side}_chairs"),
        shifts=tuple(s for s in shifts if s.nurses > 0),
        opens=opens,
        closes=closes,
        visit_types=visits,
        patients_per_day=per_day,
        arrival_pattern=inputs.text("arrival_pattern"),
        pharmacy_minutes=inputs.whole("pharmacy_minutes"),
        pharmacists=inputs.whole("pharmacists"),
        no_show_rate=float(inputs.pct("no_show")),
        nurse_ratio=inputs.whole("nurse_ratio"),
        start_minutes=inputs.whole("start_minutes"),
        discharge_minutes=inputs.whole("discharge_minutes"),
    )
