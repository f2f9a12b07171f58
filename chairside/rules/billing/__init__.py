"""Billing rules: charge capture from the documented visit, administration and drug units,
claim checks and states, payment and reimbursement estimates, patient cost share and accounts.

The X12 writers and readers are in x12/."""
