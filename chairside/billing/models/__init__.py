"""Billing data: settings and prices, encounters and their charge lines, claims, remittances
and denials. Split by subject; import from here."""

from chairside.billing.models.assistance import AssistanceClaim, AssistanceClaimDocument
from chairside.billing.models.charges import ChargeLine, Encounter, LineAdjustment
from chairside.billing.models.claims import Claim, ClaimExport, ClaimItem, ClaimStateChange
from chairside.billing.models.fees import (
    AspPrice,
    AspPricingFile,
    BillingProfile,
    ChargeMasterItem,
    ContractAdminFee,
    ContractDrugRate,
    DrugPrice,
    MueTable,
    PayerContract,
    PayerDrugCategory,
)
from chairside.billing.models.opps import OppsRateFile, OppsRateRow
from chairside.billing.models.patient_accounts import (
    PatientLedgerEntry,
    PatientStatement,
    PaymentPlan,
)
from chairside.billing.models.remittances import (
    Denial,
    ItemPayment,
    PaymentAdjustment,
    Remittance,
    RemittanceClaim,
    UnmatchedRemittance,
)

__all__ = [
    "AssistanceClaim",
    "AssistanceClaimDocument",
    "AspPrice",
    "AspPricingFile",
    "BillingProfile",
    "ChargeLine",
    "ChargeMasterItem",
    "Claim",
    "ClaimExport",
    "ClaimItem",
    "ClaimStateChange",
    "ContractAdminFee",
    "ContractDrugRate",
    "Denial",
    "DrugPrice",
    "Encounter",
    "ItemPayment",
    "LineAdjustment",
    "MueTable",
    "OppsRateFile",
    "OppsRateRow",
    "PayerContract",
    "PatientLedgerEntry",
    "PatientStatement",
    "PayerDrugCategory",
    "PaymentAdjustment",
    "PaymentPlan",
    "Remittance",
    "RemittanceClaim",
    "UnmatchedRemittance",
]
