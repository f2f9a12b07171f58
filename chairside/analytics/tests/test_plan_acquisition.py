"""The planner buys drugs at a share of ASP (an input), not at the formulary's demo cost."""

from __future__ import annotations

from decimal import Decimal

from chairside.analytics.plan import compute_plan, default_inputs
from chairside.rules.planning.planning import TreatmentMargin


def infliximab(**changes: str) -> TreatmentMargin:
    plan = compute_plan({**default_inputs(), **changes})
    return next(m for m in plan.margins if m.name == "Rheumatoid arthritis — infliximab")


def test_drug_is_bought_at_asp_by_default() -> None:
    # Demo payment limit 38.50 / 1.06 = ASP 36.321 a 10 mg unit; 400 mg at 80 kg = 40 units.
    row = infliximab()
    assert row.drug_cost == Decimal("1477.84")  # 40 x 36.321 + 25.00 supplies
    # Revenue: 45% Medicare (1515.36 + 160), 45% commercial at 120% of ASP (1743.41 + 160),
    # 10% Medicaid at 95% of ASP (1380.20 + 160) = 1764.47.
    assert row.revenue == Decimal("1764.47")
    assert row.margin == Decimal("286.63")


def test_a_dearer_purchase_price_lowers_the_margin_by_the_difference() -> None:
    at_asp, above = infliximab(), infliximab(acquisition_pct_asp="104")
    # 104% of 36.321 = 37.774 a unit (to the tenth of a cent): (37.774 - 36.321) x 40.
    assert at_asp.margin - above.margin == Decimal("58.12")


def test_buying_above_what_medicare_pays_shows_up_in_break_even() -> None:
    cheap = compute_plan({**default_inputs(), "acquisition_pct_asp": "96"})
    dear = compute_plan({**default_inputs(), "acquisition_pct_asp": "106"})
    assert cheap.margin_per_treatment > dear.margin_per_treatment
    assert cheap.break_even is not None and dear.break_even is not None
    assert dear.break_even > cheap.break_even
