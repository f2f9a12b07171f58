"""Planning a new or growing infusion center: break-even, demand from a population,
the capacity simulation.

The package re-exports :mod:`chairside.rules.planning.planning` (break-even planning), so
the contract path ``chairside.rules.planning`` of shared/ARCHITECTURE.md keeps working.
"""

from chairside.rules.planning.planning import (
    ASP_ADD_ON,
    CENT,
    DAYS_PER_MONTH,
    CashMonth,
    DrugEconomics,
    FixedCosts,
    NurseStaffing,
    PayerShare,
    RampMonth,
    TreatmentMargin,
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

__all__ = [
    "ASP_ADD_ON",
    "CENT",
    "CashMonth",
    "DAYS_PER_MONTH",
    "DrugEconomics",
    "FixedCosts",
    "NurseStaffing",
    "PayerShare",
    "RampMonth",
    "TreatmentMargin",
    "blended_margin_per_treatment",
    "break_even_treatments_per_month",
    "cash_to_fund_ramp",
    "drug_revenue",
    "fixed_monthly_cost",
    "management_fee_owed",
    "months_to_break_even",
    "nurse_payroll_per_month",
    "opening_inventory_cash",
    "ramp_cash",
    "ramp_up",
    "treatment_margins",
]
