"""Visits at the pharmacy's own ambulatory infusion suite (AIS), billed the payer's way.

An AIS is owned and operated by a home infusion pharmacy; its nurses and pharmacists give
the infusion there instead of in the patient's home (NHIA, "About Infusion Suites"). The
same per diem contracts pay for it (NHIA National Coding Standard: it "includes procedures
and examples for services provided in the Ambulatory Infusion Suite of the Home Infusion
Therapy Provider"). What the public sources settle, and what they leave to the payer:

* **Per diem, SS modifier** (settled): HCPCS modifier SS is "Home infusion services
  provided in the infusion suite of the IV therapy provider" (HCPCS Level II modifier list);
  NHIA: "The -SS modifier is also used with any of the HCPCS per diem 'S' codes for home
  infusion therapy" (NHIA Reimbursement Training Center, "Ambulatory Infusion Suites").
  So a suite day's per diem line carries SS. The drug line is the drug, wherever given:
  no SS.
* **Place of service** (payer's): the CMS Place of Service code set has no code for an
  infusion pharmacy's suite. 49 Independent Clinic ("a location, not part of a hospital and
  not described by any other Place of Service code ... to outpatients only") is what BCBS
  North Dakota asks ("49 (independent clinic) for home infusion suite", reimbursement
  policy "Home Infusion Therapy Services"), so it is the default; a payer whose contract
  says otherwise (e.g. 11 or 12) sets it on the contract.
* **Nursing** (payer's): CPT 99601/99602 describe a *home* infusion visit. Whether the
  suite nurse's time is paid inside the per diem or billed as 99601/99602 with SS is the
  payer contract's rule; the public sources we could read do not settle it (NHIA's AIS
  procedures are for members only). The default is *included in the per diem* (nothing
  billed for the nurse's time), the conservative reading of the home-visit descriptor; a
  payer that pays the suite nurse separately is set to *billed* on its contract.
* **Medicare Part B** pays home infusion therapy services only in the patient's home
  (SSA §1861(iii); Benefit Policy Manual ch. 15 §320): a suite visit is never billed as HIT.

Malformed input raises ValueError; a rule that is not met raises HomeBillingRuleError.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from chairside.rules.billing.charges import ClaimLine
from chairside.rules.billing.home_infusion_billing import (
    MEDICARE_B,
    NURSING_FIRST,
    PER_DIEM_SCALE,
    HomeTherapy,
    NursingVisit,
    ProposedClaim,
    nursing_units,
    propose_home_claim_lines,
)

SUITE_MODIFIER = "SS"
NURSING_INCLUDED = "included"
NURSING_BILLED = "billed"
SUITE_NURSING = (NURSING_INCLUDED, NURSING_BILLED)
# POS a payer may ask for a suite visit: 49 Independent Clinic (default, BCBS ND), 11 Office,
# 12 Home (a payer that treats the suite as an extension of home care).
SUITE_PLACES = ("49", "11", "12")
DEFAULT_SUITE_POS = "49"


@dataclass(frozen=True)
class SuiteTerms:
    """A payer's terms for suite visits: the place of service on the suite day's lines and
    whether the suite nurse's time is billed (99601/99602 with SS) or included in the per
    diem."""

    place_of_service: str = DEFAULT_SUITE_POS
    nursing: str = NURSING_INCLUDED

    def __post_init__(self) -> None:
        if self.place_of_service not in SUITE_PLACES:
            raise ValueError(
                f"suite place of service {self.place_of_service!r} must be one of "
                f"{', '.join(SUITE_PLACES)}"
            )
        if self.nursing not in SUITE_NURSING:
            raise ValueError(f"suite nursing {self.nursing!r} must be included or billed")


def propose_claim_with_suite(
    *,
    payer_category: str,
    therapy: HomeTherapy,
    therapy_days: Sequence[dt.date],
    visits: Sequence[NursingVisit],
    terms: SuiteTerms = SuiteTerms(),
    last_hit_visit: dt.date | None = None,
    discharged_since: bool = False,
    per_diem_coding: str = PER_DIEM_SCALE,
    outside_last_visit: dt.date | None = None,
    outside_supplier: str = "",
) -> ProposedClaim:
    """The period's lines when some visits were at the suite (``NursingVisit.in_home`` is
    False for them). Home days and visits are billed as at home
    (:func:`propose_home_claim_lines`). A suite visit day's per diem carries SS and, with
    the drug line, the payer's suite place of service; the suite nurse's time follows the
    payer's ``terms.nursing`` (billed: 99601/99602 with SS at the suite place of service;
    included: no line, and the reason is listed). Medicare Part B: suite visits are refused
    (HIT is paid only in the home)."""
    if payer_category == MEDICARE_B:
        return propose_home_claim_lines(
            payer_category=payer_category,
            therapy=therapy,
            therapy_days=therapy_days,
            visits=visits,
            last_hit_visit=last_hit_visit,
            discharged_since=discharged_since,
            outside_last_visit=outside_last_visit,
            outside_supplier=outside_supplier,
        )
    home = [v for v in visits if v.in_home]
    suite = sorted((v for v in visits if not v.in_home and v.signed), key=lambda v: v.date)
    unsigned = tuple(
        f"Suite visit on {v.date:%m/%d/%Y} is not signed: not billed."
        for v in visits
        if not v.in_home and not v.signed
    )
    proposed = propose_home_claim_lines(
        payer_category=payer_category,
        therapy=therapy,
        therapy_days=therapy_days,
        visits=home,
        per_diem_coding=per_diem_coding,
    )
    suite_days = {v.date for v in suite}
    home_days = {v.date for v in home if v.signed}
    lines = [
        _at_suite(line, terms) if line.date_of_service in suite_days - home_days else line
        for line in proposed.lines
    ]
    notes: list[str] = []
    for visit in suite:
        if terms.nursing == NURSING_BILLED:
            lines += _suite_nursing(visit, terms)
        else:
            notes.append(
                f"Suite visit on {visit.date:%m/%d/%Y}: the nurse's time is included in the "
                "per diem under this payer's terms (no 99601)."
            )
    return ProposedClaim(tuple(lines), proposed.refused + unsigned + tuple(notes))


def _at_suite(line: ClaimLine, terms: SuiteTerms) -> ClaimLine:
    """A suite day's per diem (SS) or drug line at the payer's suite place of service."""
    modifiers = line.modifiers
    if line.kind == "administration" and line.code.startswith("S"):
        modifiers = (*modifiers, SUITE_MODIFIER)
    return dataclasses.replace(line, place_of_service=terms.place_of_service, modifiers=modifiers)


def _suite_nursing(visit: NursingVisit, terms: SuiteTerms) -> list[ClaimLine]:
    return [
        ClaimLine(
            kind="administration",
            code=code,
            units=units,
            modifiers=(SUITE_MODIFIER,),
            diagnosis_pointers=(1,),
            place_of_service=terms.place_of_service,
            date_of_service=visit.date,
            description=(
                "Infusion suite nursing visit, first 2 hours"
                if code == NURSING_FIRST
                else "Infusion suite nursing visit, each additional hour"
            ),
        )
        for code, units in nursing_units(visit.minutes)
    ]
