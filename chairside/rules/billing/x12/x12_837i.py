"""ASC X12 837 Institutional claims, version 005010X223A2: a pure writer for the hospital
outpatient department's facility claim (the UB-04's electronic form).

A hospital outpatient infusion department bills its facility services — the drugs and their
administration — on the institutional claim under OPPS, and its physicians bill their own
services on the professional claim (CMS Pub. 100-04, Medicare Claims Processing Manual,
ch. 4 §10 and ch. 25 for the UB-04 / 837I data set; ch. 12 §90.4 for the professional
component billed with the facility place of service). The loops follow the ASC X12N 837I
Technical Report Type 3 (005010X223A2); where it shares structure with the 837P
(envelope, submitter, receiver, billing provider, subscriber, payer, other payers, NDC) the
segments come from :mod:`chairside.rules.billing.x12.x12_837p`'s writer:

* 2000B SBR and 2010BA/2010BB as in the 837P, with the institutional claim filing
  indicator (Medicare outpatient claims go to the A/B MAC as ``MA``);
* 2300 CLM (patient control number, total charge, CLM05 = facility type code ``13`` (hospital
  outpatient) : ``A`` (UB-04 type of bill) : frequency code, CLM07 assignment, CLM08 benefits
  assignment, CLM09 release of information), DTP*434 statement dates, CL1 (point of origin,
  patient status ``01`` discharged home), REF*G1 prior authorization, REF*F8 the original
  claim a replacement or void corrects, HI principal (ABK) and other (ABF) diagnoses, HI value
  and condition codes where given, 2310A attending (71), 2310F referring (DN);
* 2400 LX, SV2 (revenue code, HC:HCPCS:modifiers, charge, UN, units), DTP*472 service date,
  REF*6R line item control number, 2410 LIN*N4 / CTP for the NDC.

The type of bill's third digit is the claim frequency (NUBC): 1 original (admit through
discharge), 7 replacement of a prior claim, 8 void/cancel of a prior claim.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from chairside.rules.billing.charges import (
    ClaimLine,
    EncounterFacts,
    Person,
    Provider,
    claim_diagnoses,
)
from chairside.rules.billing.x12.x12_837p import (
    BilledLine,
    BillingProvider,
    OtherPayer,
    Party,
    _amount,
    _composite,
    _other_payer,
    _person,
    _provider,
    _seg,
    _text,
    envelope,
    header_segments,
    validate_envelope,
)

VERSION = "005010X223A2"

# SBR09 on the institutional claim (X12 code list 1032). Medicare outpatient hospital claims are
# processed by the A/B MAC as institutional (Part A claim type) claims: "MA" (CMS 837I
# companion guides); the other payer kinds as on the 837P.
CLAIM_FILING_837I: dict[str, str] = {
    "medicare_b": "MA",
    "medicare_advantage": "16",
    "medicaid": "MC",
    "commercial": "CI",
    "tricare": "CH",
}

# UB-04 type of bill for a hospital outpatient claim: facility type 1 (hospital) + bill
# classification 3 (outpatient); the third digit is the claim frequency (NUBC UB-04 manual,
# FL 4; CMS Pub. 100-04 ch. 25 §75.1).
FACILITY_TYPE_HOSPITAL_OUTPATIENT = "13"

# Revenue codes (NUBC UB-04 FL 42). CMS requires drugs that need detailed coding (a HCPCS
# drug code) under 0636 (Pub. 100-04 ch. 4 §10.4 / ch. 17 §90.2); the administration lines'
# revenue codes follow the hospital's cost centers (OPPS pays by HCPCS, not by revenue
# code): 0260 IV therapy, 0331 chemotherapy administration – injected, 0335 chemotherapy
# administration – IV, 0510 clinic for an injection given in the clinic.
REVENUE_DRUG_DETAILED_CODING = "0636"
REVENUE_IV_THERAPY = "0260"
REVENUE_CHEMO_INJECTED = "0331"
REVENUE_CHEMO_IV = "0335"
REVENUE_CLINIC = "0510"

_CHEMO_INJECTED = {"96401", "96402"}
_CHEMO_IV = {"96409", "96411", "96413", "96415", "96416", "96417"}
_IV_THERAPY = {
    "96360",
    "96361",
    "96365",
    "96366",
    "96367",
    "96368",
    "96374",
    "96375",
    "96376",
    "96379",
}
_CLINIC_INJECTION = {"96372"}


def revenue_code(line: ClaimLine, overrides: dict[str, str] | None = None) -> str:
    """The UB-04 revenue code for one derived claim line.

    ``overrides`` maps a HCPCS/CPT code to the hospital's own chargemaster revenue code.
    Drug lines (a J/Q code, with or without JW/JZ) take 0636. Raises ValueError for an
    administration code this table does not know, rather than guessing a cost center.
    """
    if overrides and line.code in overrides:
        return overrides[line.code]
    if line.kind == "drug" or line.code[:1] in {"J", "Q"}:
        return REVENUE_DRUG_DETAILED_CODING
    for codes, revenue in (
        (_CHEMO_IV, REVENUE_CHEMO_IV),
        (_CHEMO_INJECTED, REVENUE_CHEMO_INJECTED),
        (_IV_THERAPY, REVENUE_IV_THERAPY),
        (_CLINIC_INJECTION, REVENUE_CLINIC),
    ):
        if line.code in codes:
            return revenue
    raise ValueError(f"no revenue code is set for {line.code}: add it to the overrides")


@dataclass(frozen=True)
class InstitutionalLine:
    """A derived claim line with its revenue code, charge and line item control number."""

    line: ClaimLine
    revenue_code: str
    charge: Decimal
    control_number: str


@dataclass(frozen=True)
class InstitutionalClaim:
    """One facility claim: the encounter, the coverage billed, the revenue-coded lines."""

    control_number: str
    facts: EncounterFacts
    coverage_index: int
    claim_filing: str
    lines: tuple[InstitutionalLine, ...]
    attending: Provider | None
    frequency_code: str = "1"
    original_reference: str = ""
    statement_from: dt.date | None = None
    statement_through: dt.date | None = None
    # NUBC point of origin for the visit (FL 15): "2" clinic or physician's office referral.
    point_of_origin: str = "2"
    # NUBC patient discharge status (FL 17): "01" discharged to home or self-care.
    patient_status: str = "01"
    value_codes: tuple[tuple[str, Decimal], ...] = ()
    condition_codes: tuple[str, ...] = ()
    other_payers: tuple[OtherPayer, ...] = ()

    @property
    def type_of_bill(self) -> str:
        return f"0{FACILITY_TYPE_HOSPITAL_OUTPATIENT}{self.frequency_code}"

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class InstitutionalInterchange:
    """An 837I file: who sends it to whom, its control number, and the claims."""

    sender: Party
    receiver: Party
    billing_provider: BillingProvider
    control_number: int
    created_at: dt.datetime
    claims: tuple[InstitutionalClaim, ...]
    production: bool = True
    reference: str = ""


def write_837i(interchange: InstitutionalInterchange) -> str:
    """Return the 837I interchange as text, one segment a line.

    Raises ValueError for what cannot be written at all (no claims, a control number out of
    range, a claim without lines or attending provider, an unknown frequency code).
    """
    _validate(interchange)
    return envelope(interchange, VERSION, _transaction(interchange))


def _validate(interchange: InstitutionalInterchange) -> None:
    validate_envelope(interchange, interchange.claims, "837I")
    for claim in interchange.claims:
        if claim.frequency_code in {"7", "8"} and not claim.original_reference.strip():
            raise ValueError("a replacement or void names the payer's original claim number")
        if claim.attending is None or not claim.attending.npi.strip():
            raise ValueError(f"claim {claim.control_number} needs an attending provider's NPI")


def _transaction(interchange: InstitutionalInterchange) -> list[str]:
    segments = header_segments(interchange)
    hl = 1
    for claim in interchange.claims:
        claim_segments, hl = _claim(claim, hl)
        segments += claim_segments
    return segments


def _claim(claim: InstitutionalClaim, hl: int) -> tuple[list[str], int]:
    facts = claim.facts
    coverage = facts.coverages[claim.coverage_index]
    is_self = coverage.relationship == "self"
    subscriber_hl = hl + 1
    sequence = ("P", "S", "T")[claim.coverage_index]
    segments = [
        _seg("HL", str(subscriber_hl), "1", "22", "0" if is_self else "1"),
        _seg(
            "SBR",
            sequence,
            "18" if is_self else "",
            _text(coverage.group_number),
            "" if coverage.group_number else _text(coverage.plan_name)[:60],
            "",
            "",
            "",
            "",
            claim.claim_filing,
        ),
    ]
    subscriber: Person = facts.patient if is_self else (coverage.subscriber or facts.patient)
    segments += _person("IL", subscriber, "MI", coverage.member_id, with_demographics=True)
    segments.append(
        _seg(
            "NM1",
            "PR",
            "2",
            _text(coverage.payer_name),
            "",
            "",
            "",
            "",
            "PI",
            _text(coverage.payer_id),
        )
    )
    hl = subscriber_hl
    if not is_self:
        hl += 1
        relationship = {"spouse": "01", "child": "19"}.get(coverage.relationship, "G8")
        segments.append(_seg("HL", str(hl), str(subscriber_hl), "23", "0"))
        segments.append(_seg("PAT", relationship))
        segments += _person("QC", facts.patient, "", "", with_demographics=True)
    segments += _claim_information(claim)
    for position, billed in enumerate(claim.lines, start=1):
        segments += _service_line(position, billed, facts.date_of_service)
    return segments, hl


def _claim_information(claim: InstitutionalClaim) -> list[str]:
    facts = claim.facts
    start = claim.statement_from or facts.date_of_service
    end = claim.statement_through or facts.date_of_service
    segments = [
        _seg(
            "CLM",
            _text(claim.control_number),
            _amount(claim.total_charge),
            "",
            "",
            _composite(FACILITY_TYPE_HOSPITAL_OUTPATIENT, "A", claim.frequency_code),
            "",
            "A",
            "Y",
            "Y",
        ),
        _seg("DTP", "434", "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}"),
        _seg("CL1", "", claim.point_of_origin, claim.patient_status),
    ]
    if facts.prior_authorization.strip():
        segments.append(_seg("REF", "G1", _text(facts.prior_authorization)[:50]))
    if claim.original_reference.strip():
        segments.append(_seg("REF", "F8", _text(claim.original_reference)[:50]))
    codes = [code.replace(".", "") for code in claim_diagnoses(facts)]
    if codes:
        segments.append(_seg("HI", _composite("ABK", codes[0])))
        if codes[1:]:
            segments.append(_seg("HI", *(_composite("ABF", code) for code in codes[1:])))
    if claim.value_codes:
        segments.append(
            _seg(
                "HI",
                *(
                    _composite("BE", code, "", "", _amount(amount))
                    for code, amount in claim.value_codes[:12]
                ),
            )
        )
    if claim.condition_codes:
        segments.append(
            _seg("HI", *(_composite("BG", code) for code in claim.condition_codes[:12]))
        )
    segments += _provider("71", claim.attending)
    segments += _provider("DN", facts.referring_provider)
    for other in claim.other_payers:
        segments += _other_payer(other, facts.patient)
    return segments


def _service_line(position: int, billed: InstitutionalLine, day: dt.date) -> list[str]:
    line = billed.line
    segments = [
        _seg("LX", str(position)),
        _seg(
            "SV2",
            billed.revenue_code,
            _composite("HC", line.code, *line.modifiers[:4]),
            _amount(billed.charge),
            "UN",
            str(line.units),
        ),
        _seg("DTP", "472", "D8", day.strftime("%Y%m%d")),
        _seg("REF", "6R", _text(billed.control_number)[:50]),
    ]
    if line.ndc11 and line.ndc_quantity is not None:
        segments.append(_seg("LIN", "", "N4", line.ndc11))
        segments.append(_seg("CTP", "", "", "", _amount(line.ndc_quantity), line.ndc_unit))
    return segments


def institutional_lines(
    lines: list[ClaimLine],
    charges: dict[str, Decimal],
    *,
    control_prefix: str,
    overrides: dict[str, str] | None = None,
) -> tuple[InstitutionalLine, ...]:
    """Revenue-code and price derived claim lines (charge = the chargemaster price × units)."""
    return tuple(
        InstitutionalLine(
            line,
            revenue_code(line, overrides),
            charges[line.code] * line.units,
            f"{control_prefix}{n}",
        )
        for n, line in enumerate(lines, start=1)
    )


__all__ = [
    "CLAIM_FILING_837I",
    "BilledLine",
    "InstitutionalClaim",
    "InstitutionalInterchange",
    "InstitutionalLine",
    "institutional_lines",
    "revenue_code",
    "write_837i",
]
