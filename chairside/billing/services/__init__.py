"""Billing use cases. Each runs in one transaction, validates, and records an audit event.

The entry point for the visit module is :func:`charges_derive_for_visit`.
"""

from chairside.billing.services.assistance import (
    assistance_claim_decide,
    assistance_claim_submit,
    claim_share_open,
)
from chairside.billing.services.charges import (
    charge_line_adjust,
    charges_derive,
    charges_derive_for_visit,
    encounter_mark_reviewed,
)
from chairside.billing.services.claims import (
    claim_build_secondary,
    claim_check,
    claim_mue_override,
    claim_replace,
    claim_transition,
    claim_void,
    claims_build_for_encounter,
)
from chairside.billing.services.exports import claims_export, claims_export_by_form
from chairside.billing.services.fees import (
    asp_file_import,
    billing_profile_save,
    contract_admin_fee_set,
    contract_drug_rate_set,
    mue_table_import,
    payer_contract_save,
    payer_drug_category_set,
)
from chairside.billing.services.home_infusion import (
    home_charges_after_documentation,
    home_charges_derive,
)
from chairside.billing.services.patient_accounts import (
    patient_ar_sync_claim,
    patient_ar_sync_self_pay,
    patient_balance,
    patient_payment_record,
    patient_statement_create,
    patient_write_off,
    payment_plan_end,
    payment_plan_start,
    visit_copay_due,
)
from chairside.billing.services.remittances import (
    denial_update,
    remittance_import,
    unmatched_resolve,
)

__all__ = [
    "assistance_claim_decide",
    "assistance_claim_submit",
    "claim_share_open",
    "asp_file_import",
    "billing_profile_save",
    "charge_line_adjust",
    "charges_derive",
    "charges_derive_for_visit",
    "claim_build_secondary",
    "claim_check",
    "claim_mue_override",
    "claim_replace",
    "claim_transition",
    "claim_void",
    "claims_build_for_encounter",
    "claims_export",
    "claims_export_by_form",
    "contract_admin_fee_set",
    "contract_drug_rate_set",
    "denial_update",
    "encounter_mark_reviewed",
    "home_charges_after_documentation",
    "home_charges_derive",
    "mue_table_import",
    "patient_ar_sync_claim",
    "patient_ar_sync_self_pay",
    "patient_balance",
    "patient_payment_record",
    "patient_statement_create",
    "patient_write_off",
    "payer_contract_save",
    "payer_drug_category_set",
    "payment_plan_end",
    "payment_plan_start",
    "remittance_import",
    "unmatched_resolve",
    "visit_copay_due",
]
