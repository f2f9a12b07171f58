"""Claim adjustment group codes, reason codes (CARC) and remark codes (RARC) a biller meets.

Source: X12 external code lists 139 (Claim Adjustment Reason Codes) and 411 (Remittance
Advice Remark Codes), maintained by the Code Maintenance Committee and published at
https://x12.org/codes; group codes from the 835 TR3 (CAS01). The texts here are the
lists' descriptions, shortened where they run long; an unknown code is shown as itself.
"""

from __future__ import annotations

GROUPS: dict[str, str] = {
    "CO": "Contractual obligation (the provider writes it off)",
    "PR": "Patient responsibility",
    "OA": "Other adjustment",
    "PI": "Payer-initiated reduction",
    "CR": "Correction or reversal",
}

REASONS: dict[str, str] = {
    "1": "Deductible amount.",
    "2": "Coinsurance amount.",
    "3": "Co-payment amount.",
    "4": "The procedure code is inconsistent with the modifier used.",
    "5": "The procedure code/type of bill is inconsistent with the place of service.",
    "11": "The diagnosis is inconsistent with the procedure.",
    "15": "The authorization number is missing, invalid, or does not apply to the billed "
    "services or provider.",
    "16": "Claim/service lacks information or has submission/billing error(s).",
    "18": "Exact duplicate claim/service.",
    "22": "This care may be covered by another payer per coordination of benefits.",
    "23": "The impact of prior payer(s) adjudication including payments and/or adjustments.",
    "27": "Expenses incurred after coverage terminated.",
    "29": "The time limit for filing has expired.",
    "31": "Patient cannot be identified as our insured.",
    "45": "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement.",
    "50": "These are non-covered services because this is not deemed a 'medical necessity' by "
    "the payer.",
    "96": "Non-covered charge(s).",
    "97": "The benefit for this service is included in the payment/allowance for another "
    "service/procedure that has already been adjudicated.",
    "109": "Claim/service not covered by this payer/contractor; send it to the correct payer.",
    "151": "The payer deems the information submitted does not support this many/frequency of "
    "services.",
    "181": "Procedure code was invalid on the date of service.",
    "197": "Precertification/authorization/notification/pre-treatment absent.",
    "198": "Precertification/notification/authorization/pre-treatment exceeded.",
    "204": "This service/equipment/drug is not covered under the patient's current benefit plan.",
    "253": "Sequestration - reduction in federal payment.",
}

REMARKS: dict[str, str] = {
    "M119": "Missing/incomplete/invalid/deactivated/withdrawn National Drug Code (NDC).",
    "N130": "Consult plan benefit documents/guidelines for information about restrictions for "
    "this service.",
    "N54": "Claim information is inconsistent with pre-certified/authorized services.",
    "MA130": "Your claim contains incomplete and/or invalid information, and no appeal rights "
    "are afforded because the claim is unprocessable. Submit a new claim with the complete/"
    "correct information.",
}


def describe(group: str, reason: str) -> str:
    """'CO-197: Precertification/authorization/notification/pre-treatment absent.'"""
    text = REASONS.get(reason, "see the payer's remittance advice")
    return f"{group}-{reason}: {text}"


def describe_remark(code: str) -> str:
    return f"{code}: {REMARKS.get(code, 'see the payer remark code list')}"


# CLP02 claim status codes of the 835 (X12 005010X221A1 TR3, loop 2100 CLP02; restated in
# payers' 835 companion guides, e.g. CMS "Medicare Remittance Advice: 835 companion guide").
CLAIM_STATUS: dict[str, str] = {
    "1": "Processed as primary",
    "2": "Processed as secondary",
    "3": "Processed as tertiary",
    "4": "Denied",
    "19": "Processed as primary, forwarded to additional payer(s)",
    "20": "Processed as secondary, forwarded to additional payer(s)",
    "21": "Processed as tertiary, forwarded to additional payer(s)",
    "22": "Reversal of previous payment",
    "23": "Not our claim, forwarded to additional payer(s)",
    "25": "Predetermination pricing only, no payment",
}


def describe_claim_status(code: str) -> str:
    """'1' -> 'Processed as primary'; an unknown code is shown as 'status <code>'."""
    return CLAIM_STATUS.get(code.strip(), f"status {code}")
