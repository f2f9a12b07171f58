"""Which claim a visit makes, and the hospital outpatient department's line rules.

A hospital outpatient department (site types ``hospital_on_campus``, POS 22, and
``hospital_off_campus``, POS 19) bills its facility services — the drugs it bought and their
administration by its nurses — on the institutional claim (837I / UB-04), paid under the
hospital outpatient prospective payment system (OPPS; CMS Pub. 100-04, Medicare Claims
Processing Manual, ch. 4). Every other site Chairside runs (physician office, home,
stand-alone or NP-led infusion center) bills the professional claim (837P / CMS-1500).

The department's physicians bill only their own professional services (an E/M visit, for
instance) on the professional claim with the facility place of service 19 or 22, paid at
the physician fee schedule's facility rate (Pub. 100-04 ch. 12 §20.4.2); the drug and its
administration are the hospital's and are never put on a professional claim (the facility
bills them: ch. 4 §10, and the drug administration codes are facility services there,
ch. 4 §230.2). Chairside has no E/M charge path, so a hospital site's visit makes one
institutional claim and :func:`professional_claim_problem` refuses a professional claim
carrying a drug or administration line at a hospital outpatient place of service.

Off-campus departments (CMS Pub. 100-04 ch. 4 §20.6.11 and §20.6.12; CY 2017 OPPS final rule
implementing section 603 of the Bipartisan Budget Act of 2015): every line of an excepted
off-campus provider-based department carries HCPCS modifier **PO** ("services, procedures
and/or surgeries furnished at off-campus provider-based outpatient departments", mandatory
since 1 January 2016), and every line of a non-excepted one carries **PN** ("non-excepted
service provided at an off-campus, outpatient, provider-based department of a hospital"),
which pays the site-neutral rate, on each claim line, separately payable drugs included
(CMS Transmittal 3685 and its MLN Matters article on PN/PO, effective 1 January 2017); the
two never go on the same line. On-campus departments
(and the dedicated emergency department) report neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from chairside.rules.billing.charges import ClaimLine, EncounterFacts, Provider
from chairside.rules.billing.place_of_service import (
    FACILITY_PLACES_OF_SERVICE,
    INSTITUTIONAL_SITE_TYPES,
    default_place_of_service,
)

PROFESSIONAL = "837P"
INSTITUTIONAL = "837I"
CLAIM_FORMS = (PROFESSIONAL, INSTITUTIONAL)

# The Location flag for an off-campus provider-based department and its line modifier.
EXCEPTED = "excepted"
NON_EXCEPTED = "non_excepted"
DEPARTMENT_MODIFIERS = {EXCEPTED: "PO", NON_EXCEPTED: "PN"}
MAX_LINE_MODIFIERS = 4  # 837I SV202-3..6 / UB-04 FL 44


def claim_form_for_site(site_type: str) -> str:
    """``"837I"`` for a hospital outpatient site, ``"837P"`` for every other site type."""
    default_place_of_service(site_type)  # ValueError for an unknown site type
    return INSTITUTIONAL if site_type in INSTITUTIONAL_SITE_TYPES else PROFESSIONAL


def department_modifier(site_type: str, off_campus_status: str) -> str | None:
    """The modifier every line of this site carries: PO or PN off campus, else None.

    An off-campus department whose status is not set yet gets none (the claim check names
    it); a status on another site type is ignored (on-campus lines carry no PO/PN).
    """
    if site_type != "hospital_off_campus":
        return None
    if not off_campus_status:
        return None
    try:
        return DEPARTMENT_MODIFIERS[off_campus_status]
    except KeyError:
        known = ", ".join(sorted(DEPARTMENT_MODIFIERS))
        raise ValueError(
            f"Unknown off-campus department status {off_campus_status!r}; expected {known}."
        ) from None


def with_department_modifier(lines: Sequence[ClaimLine], modifier: str | None) -> list[ClaimLine]:
    """The lines with PO/PN added to each (after the line's own modifiers, e.g. J1745-JW-PO).

    A line that already has four modifiers cannot take a fifth: ValueError (the claim has
    room for four per line).
    """
    if modifier is None:
        return list(lines)
    result = []
    for line in lines:
        if modifier in line.modifiers:
            result.append(line)
            continue
        if len(line.modifiers) >= MAX_LINE_MODIFIERS:
            raise ValueError(f"line {line.code} already has four modifiers; {modifier} won't fit")
        result.append(replace(line, modifiers=(*line.modifiers, modifier)))
    return result


def attending_provider(facts: EncounterFacts) -> Provider | None:
    """The institutional claim's attending provider (837I 2310A, UB-04 FL 76): the
    department physician responsible for the visit — the supervising physician documented
    on it, else the rendering one. Not the referring physician, who is FL 78."""
    return facts.supervising_provider or facts.rendering_provider


def professional_claim_problem(lines: Sequence[ClaimLine]) -> str | None:
    """Why these lines cannot go on a professional claim, or None.

    A drug or administration line at a hospital outpatient place of service (19/22) is the
    hospital's facility service: it goes on the institutional claim, never the 837P."""
    facility = [
        line
        for line in lines
        if line.place_of_service in FACILITY_PLACES_OF_SERVICE
        and line.kind in {"drug", "administration"}
    ]
    if not facility:
        return None
    codes = ", ".join(dict.fromkeys(line.code for line in facility))
    return (
        f"{codes} at a hospital outpatient department (place of service "
        f"{facility[0].place_of_service}) are the hospital's facility services: they are billed "
        "on the institutional claim (837I / UB-04), never on a professional claim."
    )


__all__ = [
    "CLAIM_FORMS",
    "DEPARTMENT_MODIFIERS",
    "INSTITUTIONAL",
    "PROFESSIONAL",
    "attending_provider",
    "claim_form_for_site",
    "department_modifier",
    "professional_claim_problem",
    "with_department_modifier",
]
