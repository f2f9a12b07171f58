"""A payer's own choice of administration codes for a drug: chemotherapy/complex or therapeutic.

Whether an infusion is billed with the chemotherapy/complex-drug codes (96413 family) or
the therapeutic codes (96365 family) depends on the drug, and payers do not all agree:

* CPT: "Chemotherapy administration codes 96401-96549 apply to parenteral administration
  of non-radionuclide anti-neoplastic drugs; and also to anti-neoplastic agents provided
  for treatment of non-cancer diagnoses ... or to substances such as certain monoclonal
  antibody agents" (CPT 2014, quoted in The Rheumatologist, "Coding Corner" answer,
  September 2014). Medicare contractors pay monoclonal, complex biological and
  rheumatological therapies as complex administration (Noridian JF "Clarification on
  Payment for Monoclonal, Complex Biological, and Rheumatological Therapies", citing CMS
  CR 13468 and Pub. 100-04 ch. 12 §30.5; Noridian JE article A58532).
* Commercial payers differ. The manufacturer's reimbursement guide for infliximab: "Medicare
  uses CPT codes 96413 and 96415 to describe the first and subsequent hours ... Commercial
  payers may use these codes or alternate codes 96365 and 96366" (Janssen, "Overview of
  Reimbursement for REMICADE (infliximab)", janssenaccessone.com).

So the formulary holds each drug's usual category and a center records, per payer, the
drugs that payer wants billed otherwise. :func:`apply_payer_categories` takes the
encounter's facts and the categories the claim's payer wants (already looked up) and
returns the facts with those administrations re-categorized; the administration codes are
then derived as usual (:func:`rules.billing.charges.derive_claim_lines`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from chairside.rules.billing.admin_codes import Administration
from chairside.rules.billing.charges import EncounterFacts

# The categories a payer may choose between for a drug. Hydration is fluid, never a drug's
# category, so it is neither chosen nor changed.
DRUG_CATEGORIES = ("chemo", "therapeutic")


def apply_payer_categories(facts: EncounterFacts, categories: Mapping[str, str]) -> EncounterFacts:
    """Return ``facts`` with each drug the payer categorizes otherwise re-categorized.

    ``categories`` maps a drug's name (as the administration names it: the formulary's
    generic name; compared without regard to case or surrounding spaces) to ``"chemo"`` or
    ``"therapeutic"``. Only chemo and therapeutic administrations of that drug change;
    hydration and unnamed administrations are left alone, as is everything else.

    Example: infliximab infused 09:00-11:10 is 96413 + 96415 by the formulary's "chemo";
    with ``{"infliximab": "therapeutic"}`` it becomes 96365 + 96366.

    Raises ValueError for a category other than ``"chemo"`` or ``"therapeutic"``.
    """
    wanted: dict[str, str] = {}
    for name, category in categories.items():
        if category not in DRUG_CATEGORIES:
            raise ValueError(
                f"{name}: category {category!r} must be one of {', '.join(DRUG_CATEGORIES)}"
            )
        wanted[name.strip().casefold()] = category
    if not wanted:
        return facts

    def recategorized(items: tuple[Administration, ...]) -> tuple[Administration, ...]:
        return tuple(
            replace(a, category=wanted[a.drug.strip().casefold()])
            if a.drug is not None
            and a.category in DRUG_CATEGORIES
            and a.drug.strip().casefold() in wanted
            else a
            for a in items
        )

    return replace(
        facts,
        administrations=recategorized(facts.administrations),
        second_site=recategorized(facts.second_site),
    )


__all__ = ["DRUG_CATEGORIES", "apply_payer_categories"]
