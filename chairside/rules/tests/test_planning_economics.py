from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.planning.planning import (
    DrugEconomics,
    FixedCosts,
    NurseStaffing,
    PayerShare,
    blended_margin_per_treatment,
    break_even_treatments_per_month,
    cash_to_fund_ramp,
    drug_revenue,
    fixed_monthly_cost,
    management_fee_owed,
    months_to_break_even,
    nurse_payroll_per_month,
    opening_inventory_cash,
    ramp_cash,
    ramp_up,
    treatment_margins,
)

D = Decimal
MEDICARE = PayerShare("Medicare", "medicare_b", D("1"))
COMMERCIAL = PayerShare("Commercial", "commercial", D("1"), D("1.20"))
DRUG = DrugEconomics("demo drug", D("1"), 40, D("10.00"), D("9.50"), D("150.00"), D("20.00"))


class TestNursePayroll:
    def test_it_pays_the_minimum_shift_when_the_day_is_short(self):
        short = NurseStaffing(2, D("4"), D("8"), D("50"), D("21"), D("0.25"))
        # 2 nurses x max(4, 8) h x $50 x 21 days x 1.25 = $21,000.
        assert nurse_payroll_per_month(short) == D("21000.00")

    def test_it_pays_the_hours_worked_above_the_minimum(self):
        long = NurseStaffing(1, D("10"), D("8"), D("40"), D("20"), D("0"))
        assert nurse_payroll_per_month(long) == D("8000.00")


class TestFixedCosts:
    def test_it_adds_every_line(self):
        costs = FixedCosts(D("8000"), D("30000"), D("5000"), D("1500"), D("800"), D("2000"))
        assert fixed_monthly_cost(costs) == D("47300.00")

    def test_it_rejects_a_negative_line(self):
        with pytest.raises(ValueError, match="Rent"):
            fixed_monthly_cost(FixedCosts(D("-1"), D(0), D(0), D(0), D(0), D(0)))


class TestMargin:
    def test_it_pays_medicare_asp_plus_6_percent_less_sequestration(self):
        # limit 10.60 x 40 = 424.00 allowed; Medicare 424 x .8 x .98 = 332.42; patient 84.80.
        assert drug_revenue(DRUG, MEDICARE) == D("417.22")

    def test_it_pays_commercial_a_percent_of_asp(self):
        assert drug_revenue(DRUG, COMMERCIAL) == D("480.00")

    def test_it_takes_acquisition_and_supplies_off_the_revenue(self):
        [row] = treatment_margins([DRUG], [MEDICARE])
        # 417.22 + 150 admin - (380 drug + 20 supplies) = 167.22
        assert (row.revenue, row.drug_cost, row.margin) == (D("567.22"), D("400.00"), D("167.22"))

    def test_it_weights_by_the_payer_mix(self):
        mix = [
            PayerShare("M", "medicare_b", D("0.5")),
            PayerShare("C", "commercial", D("0.5"), D("1.20")),
        ]
        assert blended_margin_per_treatment([DRUG], mix) == D("198.61")

    def test_it_rejects_a_mix_that_does_not_add_to_100_percent(self):
        with pytest.raises(ValueError, match="add up to 90.00%"):
            blended_margin_per_treatment([DRUG], [PayerShare("M", "medicare_b", D("0.9"))])


class TestRampUp:
    def test_it_agrees_with_months_to_break_even(self):
        rows = ramp_up(D("10000"), D("100"), 40, 20, 6)
        first_positive = next(r.month for r in rows if r.net >= 0)
        assert first_positive == months_to_break_even(D("10000"), D("100"), 40, 20) == 4

    def test_it_caps_volume_at_capacity(self):
        rows = ramp_up(D("10000"), D("100"), 40, 20, 12, ceiling=90)
        assert max(r.treatments for r in rows) == 90
        assert cash_to_fund_ramp(rows) == D("10000") * 12 - D("100") * sum(
            r.treatments for r in rows
        )

    @given(
        st.decimals(D("0"), D("100000"), places=2),
        st.decimals(D("1"), D("1000"), places=2),
        st.integers(0, 300),
        st.integers(0, 50),
    )
    def test_the_cash_needed_is_the_deepest_cumulative_loss(self, fixed, margin, start, growth):
        rows = ramp_up(fixed, margin, start, growth, 36)
        cash = cash_to_fund_ramp(rows)
        assert cash >= 0
        assert all(r.cumulative >= -cash for r in rows)
        needed = break_even_treatments_per_month(fixed, margin)
        if start >= needed and fixed > 0:
            assert cash == 0


class TestRampCash:
    """Issue 13.16: a ramp whose opening month beats break-even showed $0 to fund, as if
    payers paid for each treatment the day it was given."""

    def test_a_profitable_first_month_still_needs_its_fixed_costs_funded(self):
        rows = ramp_up(D("30000"), D("1000"), 60, 0, 6)
        assert rows[0].net > 0  # month 1 is profitable on paper
        # Payers pay 35 days after the treatment: nothing comes in during month 1, five
        # sixths of month 1's contribution in month 2.
        assert cash_to_fund_ramp(rows, collection_days=35) == D("30000.00")

    def test_it_shows_each_month_collected_and_the_cash_position(self):
        rows = ramp_up(D("30000"), D("1000"), 60, 0, 3)
        cash = ramp_cash(rows, collection_days=35)
        assert [c.collected for c in cash] == [D("0.00"), D("50000.00"), D("60000.00")]
        assert [c.position for c in cash] == [D("-30000.00"), D("-10000.00"), D("20000.00")]

    def test_without_a_collection_delay_cash_is_the_cumulative_result(self):
        rows = ramp_up(D("10000"), D("100"), 40, 20, 12, ceiling=90)
        assert [c.position for c in ramp_cash(rows, collection_days=0)] == [
            r.cumulative for r in rows
        ]

    @given(st.integers(0, 120), st.integers(0, 300), st.integers(0, 50))
    def test_waiting_longer_for_payment_never_needs_less_cash(self, days, start, growth):
        rows = ramp_up(D("20000"), D("250"), start, growth, 24)
        sooner = cash_to_fund_ramp(rows, collection_days=days)
        later = cash_to_fund_ramp(rows, collection_days=days + 15)
        assert later >= sooner >= cash_to_fund_ramp(rows, collection_days=0)

    def test_it_rejects_a_negative_delay(self):
        with pytest.raises(ValueError, match="days to collect"):
            ramp_cash(ramp_up(D("1"), D("1"), 1, 0, 1), collection_days=-1)


class TestOpeningInventoryCash:
    def test_it_funds_shelf_days_plus_collection_less_vendor_terms(self):
        # $90,000 of drug a month = $3,000 a day; 14 on hand + 35 to collect - 30 terms = 19.
        cash = opening_inventory_cash(
            D("90000"), days_on_hand=14, vendor_terms_days=30, collection_days=35
        )
        assert cash == D("57000.00")

    def test_it_needs_nothing_when_vendor_terms_cover_the_cycle(self):
        assert opening_inventory_cash(
            D("90000"), days_on_hand=7, vendor_terms_days=60, collection_days=30
        ) == D("0.00")


class TestManagementFee:
    def test_it_charges_per_treatment(self):
        fee = management_fee_owed(
            basis="per_treatment",
            treatments=120,
            collections=D(0),
            per_treatment=D("45"),
            share=D(0),
        )
        assert fee == D("5400.00")

    def test_it_charges_a_share_of_collections(self):
        fee = management_fee_owed(
            basis="share_of_collections",
            treatments=0,
            collections=D("250000"),
            per_treatment=D(0),
            share=D("0.06"),
        )
        assert fee == D("15000.00")

    def test_it_rejects_an_unknown_basis(self):
        with pytest.raises(ValueError, match="fee basis"):
            management_fee_owed(
                basis="flat", treatments=1, collections=D(0), per_treatment=D(0), share=D(0)
            )
