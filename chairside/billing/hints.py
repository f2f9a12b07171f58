"""Where a biller fixes what the pre-submission check found, by problem code.

The check (``rules.billing.claim_check``) says *what* is missing; these say *where* it is put right,
because charges are never typed on the claim: they come from the chart, the visit, the
formulary and the billing settings. A problem whose code is not listed gets no hint.
"""

from __future__ import annotations

_COVERAGE = (
    "Correct the patient's coverage on the chart (payer, member ID, subscriber), "
    "then run the check again."
)
_PATIENT = "Correct the patient's demographics on the chart, then run the check again."
_PROVIDER = (
    "Set the NPI on the staff member (Admin → Staff) or on the referring provider, "
    "then run the check again."
)
_SETTINGS = "Fix it in Billing settings, then run the check again."
_VISIT = (
    "It comes from the signed visit: correct the visit with an addendum, which derives "
    "the charges again."
)

HINTS: dict[str, str] = {
    "coverage": _COVERAGE,
    "member_id": _COVERAGE,
    "subscriber": _COVERAGE,
    "payer_id": (
        "Set the payer's electronic payer ID (Django admin → Payers), then run the check again."
    ),
    "prior_payer": (
        "Post the primary payer's 835 (Remittances); the secondary claim then carries it."
    ),
    "authorization": (
        "Record the authorization number on the patient's authorization "
        "(chart → authorizations), then run the check again."
    ),
    "date": "A claim is sent only after the date of service.",
    "patient_name": _PATIENT,
    "patient_dob": _PATIENT,
    "patient_sex": _PATIENT,
    "patient_address": _PATIENT,
    "rendering_npi": _PROVIDER,
    "attending_npi": (
        "The attending provider is the supervising physician documented on the visit: set "
        "their NPI on the staff member (Admin → Staff), or correct the visit's supervising "
        "physician with an addendum."
    ),
    "supervising_npi": _PROVIDER,
    "referring_npi": _PROVIDER,
    "billing_npi": _SETTINGS,
    "tax_id": _SETTINGS,
    "billing_address": _SETTINGS,
    "billing_zip": _SETTINGS,
    "diagnosis": "Add the ICD-10-CM code to the treatment order. " + _VISIT,
    "ndc": (
        "The NDC comes from the vials dispensed for the visit (their package in the "
        "formulary). Add the package NDC to the formulary after checking it on DailyMed, or "
        "record the dispense; then correct the visit with an addendum, which derives the "
        "charges again."
    ),
    "lines": _VISIT,
    "units": _VISIT,
    "revenue_code": (
        "Set the revenue code on the code's charge master item (Django admin → Charge master "
        "items), then run the check again."
    ),
    "department_modifier": (
        "Set whether the off-campus department is excepted (PO) or non-excepted (PN) on the "
        "location (Settings → Locations); then correct the visit with an addendum, which "
        "derives the charges again."
    ),
    "claim_form": _VISIT,
    "charge": "Add the code's price to the charge master (Django admin → Charge master items).",
    "plan_of_care": (
        "Record the physician's signature date on the patient's home infusion plan of care "
        "(Home infusion), then run the check again."
    ),
    "home_visit_note": (
        "Complete and sign the home visit on the nurse's route (Home infusion), then derive "
        "the month again (Billing → Home infusion)."
    ),
    "delivery_proof": (
        "Record the proof of delivery on the delivery ticket (Home infusion → the day's "
        "deliveries): who received it and their signature; the next check clears it."
    ),
    "hit_pump": (
        "Medicare HIT needs the drug given through a DME external infusion pump: record the "
        "pump on the home infusion order, or bill the month to the right payer."
    ),
    "hit_initial": (
        "Derive the month again (Billing → Home infusion): the rules then choose the "
        "subsequent-visit G-code."
    ),
}


# Problems put right on the patient's chart, and in Billing settings: the page links there.
ON_CHART = frozenset(
    {"coverage", "member_id", "subscriber", "authorization", "patient_name", "patient_dob"}
    | {"patient_sex", "patient_address"}
)
IN_SETTINGS = frozenset({"billing_npi", "tax_id", "billing_address", "billing_zip"})


def with_hints(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    """The claim's stored problems, each with a ``hint`` (empty when none is known) and
    ``where`` ("chart", "settings" or "") the page links to."""
    found = []
    for problem in problems:
        code = problem.get("code", "")
        where = "chart" if code in ON_CHART else "settings" if code in IN_SETTINGS else ""
        found.append({**problem, "hint": HINTS.get(code, ""), "where": where})
    return found
