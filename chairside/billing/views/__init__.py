"""Billing pages: thin — parse the form, call one service or selector, render."""

from chairside.billing.views.claims import (
    claim_check,
    claim_cms1500,
    claim_detail,
    claim_list,
    claim_submit,
    claim_transition,
    claims_export_ready,
    export_download,
    home,
)
from chairside.billing.views.fees import (
    billing_settings,
    contract_admin_fee,
    contract_drug_rate,
    contract_edit,
    contract_list,
    contract_new,
    fee_schedule,
    payer_drug_category,
)
from chairside.billing.views.work import (
    denial_update,
    encounter_detail,
    encounter_reviewed,
    line_adjust,
    margins,
    remittance_detail,
    remittance_list,
)

__all__ = [
    "billing_settings",
    "claim_check",
    "claim_cms1500",
    "claim_detail",
    "claim_list",
    "claim_submit",
    "claim_transition",
    "claims_export_ready",
    "contract_admin_fee",
    "contract_drug_rate",
    "contract_edit",
    "contract_list",
    "contract_new",
    "denial_update",
    "encounter_detail",
    "encounter_reviewed",
    "export_download",
    "fee_schedule",
    "home",
    "line_adjust",
    "margins",
    "payer_drug_category",
    "remittance_detail",
    "remittance_list",
]
