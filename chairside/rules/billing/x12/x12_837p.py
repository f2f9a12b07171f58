"""ASC X12 837 Professional claims, version 005010X222A1: a pure writer.

One interchange (ISA/IEA) holds one functional group (GS/GE) holding one transaction (ST/SE)
with one billing provider (HL 20) and, under it, one subscriber (HL 22) — and a patient
(HL 23) when the patient is not the subscriber — per claim. The loops and segments follow
the ASC X12N 837P Technical Report Type 3 (005010X222A1):

* 1000A submitter (NM1*41, PER), 1000B receiver (NM1*40);
* 2010AA billing provider (NM1*85 with NPI, N3, N4 with the 9-digit ZIP, REF*EI tax ID);
* 2000B SBR (payer responsibility P/S/T, relationship 18 when the patient is the
  subscriber, group number, claim filing indicator), 2010BA subscriber, 2010BB payer;
* 2300 CLM (patient control number, total charge, place of service : B : frequency code,
  signature and assignment indicators), REF*G1 prior authorization, REF*F8 the payer's
  claim number of the claim a replacement corrects, HI diagnoses (ABK then ABF, without
  the dot), 2310A referring (DN), 2310B rendering (82), 2310C service facility (77),
  2310D supervising (DQ);
* 2320/2330A/2330B other payers on a secondary claim: SBR, CAS, AMT*D (paid), OI,
  their subscriber and payer, and per line 2430 SVD/CAS/DTP*573 (the primary's
  adjudication, so the claim balances: paid plus adjustments equals the charge);
* 2400 LX, SV1 (HC:code:modifiers, charge, UN, units, diagnosis pointers), DTP*472 date of
  service, REF*6R line item control number (echoed in the 835 to match payments to lines),
  2410 LIN*N4 NDC and CTP quantity with its unit.

Text is written upper-case in the basic character set; the delimiters (* ~ : ^) are
removed from data. Amounts are written without trailing zeros (X12 R type).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from chairside.rules.billing.charges import (
    ClaimLine,
    CoverageFacts,
    EncounterFacts,
    Person,
    Provider,
    claim_diagnoses,
)

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
SEGMENT = "~"
VERSION = "005010X222A1"

# 837P SBR09 claim filing indicator by Chairside payer kind (X12 code list 1032).
CLAIM_FILING: dict[str, str] = {
    "medicare_b": "MB",  # Medicare Part B
    "medicare_advantage": "16",  # Health Maintenance Organization (HMO) Medicare Risk
    "medicaid": "MC",  # Medicaid
    "commercial": "CI",  # Commercial Insurance Co.
    "tricare": "CH",  # Champus (TRICARE)
}
# SBR02 / PAT01 individual relationship codes (X12 code list 1069).
RELATIONSHIP_CODES = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}
SEQUENCE_CODES = ("P", "S", "T")
_NOT_ALLOWED = re.compile(r"[^A-Z0-9 !&'()+,\-./;?=%@\[\]_{}\\|<>#$\"]")


@dataclass(frozen=True)
class Party:
    """A submitter or receiver: name and the identifier agreed with the clearinghouse."""

    name: str
    identifier: str
    contact_name: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class BillingProvider:
    name: str
    npi: str
    tax_id: str
    address_line1: str
    city: str
    state: str
    postal_code: str
    address_line2: str = ""


@dataclass(frozen=True)
class Facility:
    """Where the service was given (2310C), when it is not the billing address."""

    name: str
    address_line1: str
    city: str
    state: str
    postal_code: str
    npi: str = ""
    address_line2: str = ""


@dataclass(frozen=True)
class Adjustment:
    """A CAS adjustment: group (CO, PR, OA, PI, CR), CARC reason code, amount."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True)
class LineAdjudication:
    """How another payer adjudicated one line (loop 2430)."""

    payer_id: str
    paid: Decimal
    code: str
    modifiers: tuple[str, ...]
    units: int
    adjudicated_on: dt.date
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True)
class BilledLine:
    """A derived claim line with its charge and its line item control number."""

    line: ClaimLine
    charge: Decimal
    control_number: str
    prior_payers: tuple[LineAdjudication, ...] = ()


@dataclass(frozen=True)
class OtherPayer:
    """A payer before this one in the order of benefits (loop 2320), with what it paid."""

    coverage: CoverageFacts
    sequence: str
    claim_filing: str
    paid: Decimal
    adjudicated_on: dt.date
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True)
class ClaimDocument:
    """One claim: the encounter's facts, the coverage billed, the priced lines."""

    control_number: str
    facts: EncounterFacts
    coverage_index: int
    claim_filing: str
    lines: tuple[BilledLine, ...]
    frequency_code: str = "1"
    original_reference: str = ""
    facility: Facility | None = None
    other_payers: tuple[OtherPayer, ...] = ()

    @property
    def coverage(self) -> CoverageFacts:
        return self.facts.coverages[self.coverage_index]

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class Interchange:
    """An 837P file: who sends it to whom, its control number, and the claims."""

    sender: Party
    receiver: Party
    billing_provider: BillingProvider
    control_number: int
    created_at: dt.datetime
    claims: tuple[ClaimDocument, ...]
    production: bool = True
    reference: str = ""


def write_837p(interchange: Interchange) -> str:
    """Return the 837P interchange as text, one segment a line.

    Raises ValueError for what cannot be written at all (no claims, a control number out of
    range, a claim without lines, a coverage index that does not exist); what is merely
    missing for a payer is the pre-submission check's business.
    """
    _validate(interchange)
    return envelope(interchange, VERSION, _transaction(interchange))


# Claim frequency (CLM05-3; the UB-04 type of bill's third digit): original, replacement, void.
FREQUENCIES = {"1": "original", "7": "replacement", "8": "void"}


class Envelope(Protocol):
    """What the 837P and 837I interchanges share: parties, control number, time, mode."""

    @property
    def sender(self) -> Party: ...
    @property
    def receiver(self) -> Party: ...
    @property
    def billing_provider(self) -> BillingProvider: ...
    @property
    def control_number(self) -> int: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def production(self) -> bool: ...
    @property
    def reference(self) -> str: ...


class EnvelopedClaim(Protocol):
    """What the envelope checks read of an 837P or 837I claim."""

    @property
    def control_number(self) -> str: ...
    @property
    def facts(self) -> EncounterFacts: ...
    @property
    def coverage_index(self) -> int: ...
    @property
    def frequency_code(self) -> str: ...
    @property
    def lines(self) -> Sequence[object]: ...


def envelope(interchange: Envelope, version: str, transaction: list[str]) -> str:
    """ISA/GS/ST around the transaction's segments, closed by SE/GE/IEA (837P and 837I)."""
    st_se = [_seg("ST", "837", "0001", version), *transaction]
    st_se.append(_seg("SE", str(len(st_se) + 1), "0001"))
    stamp = interchange.created_at
    number = f"{interchange.control_number:09d}"
    segments = [
        _isa_segment(
            interchange.sender, interchange.receiver, stamp, number, interchange.production
        ),
        _seg(
            "GS",
            "HC",
            _text(interchange.sender.identifier),
            _text(interchange.receiver.identifier),
            stamp.strftime("%Y%m%d"),
            stamp.strftime("%H%M"),
            str(interchange.control_number),
            "X",
            version,
        ),
        *st_se,
        _seg("GE", "1", str(interchange.control_number)),
        _seg("IEA", "1", number),
    ]
    return "\n".join(segments) + "\n"


def validate_envelope(interchange: Envelope, claims: Sequence[EnvelopedClaim], kind: str) -> None:
    """The checks the 837P and 837I share; raises ValueError naming what is wrong."""
    if not claims:
        raise ValueError(f"an {kind} file needs at least one claim")
    if not 1 <= interchange.control_number <= 999_999_999:
        raise ValueError("the interchange control number must be 1 to 999999999")
    if interchange.created_at.utcoffset() is None:
        raise ValueError("created_at must be timezone-aware")
    for claim in claims:
        if not claim.lines:
            raise ValueError(f"claim {claim.control_number} has no lines")
        if not 0 <= claim.coverage_index < len(claim.facts.coverages):
            raise ValueError(f"claim {claim.control_number} bills a coverage that does not exist")
        if not 1 <= len(claim.control_number) <= 20:
            raise ValueError("a patient control number (CLM01) has 1 to 20 characters")
        if claim.frequency_code not in FREQUENCIES:
            raise ValueError("claim frequency code must be 1 (original), 7 or 8")


def _validate(interchange: Interchange) -> None:
    validate_envelope(interchange, interchange.claims, "837P")


# --- envelope and header --------------------------------------------------------------


def _isa_segment(
    sender: Party, receiver: Party, stamp: dt.datetime, number: str, production: bool
) -> str:
    """The ISA header (fixed-width elements), shared with the 837I writer."""
    return (
        ELEMENT.join(
            [
                "ISA",
                "00",
                " " * 10,
                "00",
                " " * 10,
                "ZZ",
                _text(sender.identifier)[:15].ljust(15),
                "ZZ",
                _text(receiver.identifier)[:15].ljust(15),
                stamp.strftime("%y%m%d"),
                stamp.strftime("%H%M"),
                REPETITION,
                "00501",
                number,
                "0",
                "P" if production else "T",
                COMPONENT,
            ]
        )
        + SEGMENT
    )


def _transaction(interchange: Interchange) -> list[str]:
    segments = header_segments(interchange)
    hl = 1
    for claim in interchange.claims:
        claim_segments, hl = _claim(claim, hl)
        segments += claim_segments
    return segments


def header_segments(interchange: Envelope) -> list[str]:
    """BHT, submitter (1000A), receiver (1000B) and billing provider (2000A/2010AA)."""
    stamp = interchange.created_at
    sender, receiver, billing = (
        interchange.sender,
        interchange.receiver,
        interchange.billing_provider,
    )
    return [
        _seg(
            "BHT",
            "0019",
            "00",
            _text(interchange.reference or str(interchange.control_number))[:30],
            stamp.strftime("%Y%m%d"),
            stamp.strftime("%H%M"),
            "CH",
        ),
        _seg("NM1", "41", "2", _text(sender.name), "", "", "", "", "46", _text(sender.identifier)),
        _seg(
            "PER",
            "IC",
            _text(sender.contact_name or sender.name),
            "TE",
            _digits(sender.contact_phone) or "0000000000",
        ),
        _seg(
            "NM1", "40", "2", _text(receiver.name), "", "", "", "", "46", _text(receiver.identifier)
        ),
        _seg("HL", "1", "", "20", "1"),
        _seg("NM1", "85", "2", _text(billing.name), "", "", "", "", "XX", billing.npi),
        *_address(
            billing.address_line1,
            billing.address_line2,
            billing.city,
            billing.state,
            billing.postal_code,
        ),
        _seg("REF", "EI", _digits(billing.tax_id)),
    ]


# --- one claim ------------------------------------------------------------------------


def _claim(claim: ClaimDocument, hl: int) -> tuple[list[str], int]:
    facts, coverage = claim.facts, claim.coverage
    is_self = coverage.relationship == "self"
    subscriber_hl = hl + 1
    segments = [
        _seg("HL", str(subscriber_hl), "1", "22", "0" if is_self else "1"),
        _seg(
            "SBR",
            SEQUENCE_CODES[claim.coverage_index],
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
    subscriber = facts.patient if is_self else (coverage.subscriber or facts.patient)
    segments += _person("IL", subscriber, "MI", coverage.member_id, with_demographics=is_self)
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
        segments.append(_seg("HL", str(hl), str(subscriber_hl), "23", "0"))
        segments.append(_seg("PAT", RELATIONSHIP_CODES[coverage.relationship]))
        segments += _person("QC", facts.patient, "", "", with_demographics=True)
    segments += _claim_information(claim)
    for position, billed in enumerate(claim.lines, start=1):
        segments += _service_line(position, billed, facts.date_of_service)
    return segments, hl


def _claim_information(claim: ClaimDocument) -> list[str]:
    facts = claim.facts
    segments = [
        _seg(
            "CLM",
            _text(claim.control_number),
            _amount(claim.total_charge),
            "",
            "",
            _composite(facts.place_of_service, "B", claim.frequency_code),
            "Y",
            "A",
            "Y",
            "Y",
        )
    ]
    if facts.prior_authorization.strip():
        segments.append(_seg("REF", "G1", _text(facts.prior_authorization)[:50]))
    if claim.original_reference.strip():
        segments.append(_seg("REF", "F8", _text(claim.original_reference)[:50]))
    codes = [code.replace(".", "") for code in claim_diagnoses(facts)]
    if codes:
        qualifiers = ["ABK", *["ABF"] * (len(codes) - 1)]
        segments.append(
            _seg("HI", *(_composite(q, code) for q, code in zip(qualifiers, codes, strict=True)))
        )
    segments += _provider("DN", facts.referring_provider)
    segments += _provider("82", facts.rendering_provider)
    if claim.facility is not None:
        facility = claim.facility
        segments.append(
            _seg(
                "NM1",
                "77",
                "2",
                _text(facility.name),
                "",
                "",
                "",
                "",
                *(("XX", facility.npi) if facility.npi else ()),
            )
        )
        segments += _address(
            facility.address_line1,
            facility.address_line2,
            facility.city,
            facility.state,
            facility.postal_code,
        )
    segments += _provider("DQ", facts.supervising_provider)
    for other in claim.other_payers:
        segments += _other_payer(other, facts.patient)
    return segments


def _other_payer(other: OtherPayer, patient: Person) -> list[str]:
    coverage = other.coverage
    is_self = coverage.relationship == "self"
    segments = [
        _seg(
            "SBR",
            other.sequence,
            RELATIONSHIP_CODES[coverage.relationship],
            _text(coverage.group_number),
            "" if coverage.group_number else _text(coverage.plan_name)[:60],
            "",
            "",
            "",
            "",
            other.claim_filing,
        ),
        *_cas(other.adjustments),
        _seg("AMT", "D", _amount(other.paid)),
        _seg("OI", "", "", "Y", "", "", "Y"),
    ]
    subscriber = patient if is_self else (coverage.subscriber or patient)
    segments.append(
        _seg(
            "NM1",
            "IL",
            "1",
            _text(subscriber.last_name),
            _text(subscriber.first_name),
            _text(subscriber.middle_name),
            "",
            "",
            "MI",
            _text(coverage.member_id),
        )
    )
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
    return segments


def _service_line(position: int, billed: BilledLine, day: dt.date) -> list[str]:
    line = billed.line
    pointers = _composite(*(str(p) for p in line.diagnosis_pointers[:4]))
    segments = [
        _seg("LX", str(position)),
        _seg(
            "SV1",
            _composite("HC", line.code, *line.modifiers[:4]),
            _amount(billed.charge),
            "UN",
            str(line.units),
            "",
            "",
            pointers,
        ),
        _seg("DTP", "472", "D8", day.strftime("%Y%m%d")),
        _seg("REF", "6R", _text(billed.control_number)[:50]),
    ]
    if line.ndc11 and line.ndc_quantity is not None:
        segments.append(_seg("LIN", "", "N4", line.ndc11))
        segments.append(_seg("CTP", "", "", "", _amount(line.ndc_quantity), line.ndc_unit))
    for prior in billed.prior_payers:
        segments.append(
            _seg(
                "SVD",
                _text(prior.payer_id),
                _amount(prior.paid),
                _composite("HC", prior.code, *prior.modifiers[:4]),
                "",
                str(prior.units),
            )
        )
        segments += _cas(prior.adjustments)
        segments.append(_seg("DTP", "573", "D8", prior.adjudicated_on.strftime("%Y%m%d")))
    return segments


# --- shared pieces --------------------------------------------------------------------


def _cas(adjustments: Sequence[Adjustment]) -> list[str]:
    """CAS segments: one per group, up to six reason/amount/quantity triplets each."""
    by_group: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        if adjustment.amount != 0:
            by_group.setdefault(adjustment.group, []).append(adjustment)
    segments: list[str] = []
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            elements: list[str] = [group]
            for item in items[start : start + 6]:
                quantity = "" if item.quantity is None else _amount(item.quantity)
                elements += [item.reason, _amount(item.amount), quantity]
            segments.append(_seg("CAS", *elements))
    return segments


def _person(
    qualifier: str, person: Person, id_qualifier: str, identifier: str, *, with_demographics: bool
) -> list[str]:
    ids = (id_qualifier, _text(identifier)) if id_qualifier else ()
    segments = [
        _seg(
            "NM1",
            qualifier,
            "1",
            _text(person.last_name),
            _text(person.first_name),
            _text(person.middle_name),
            "",
            "",
            *ids,
        )
    ]
    if with_demographics:
        segments += _address(
            person.address_line1,
            person.address_line2,
            person.city,
            person.state,
            person.postal_code,
        )
        born = person.date_of_birth.strftime("%Y%m%d") if person.date_of_birth else ""
        segments.append(_seg("DMG", "D8", born, person.sex or "U"))
    return segments


def _provider(qualifier: str, provider: Provider | None) -> list[str]:
    if provider is None or not provider.npi.strip():
        return []
    return [
        _seg(
            "NM1",
            qualifier,
            "1",
            _text(provider.last_name),
            _text(provider.first_name),
            "",
            "",
            "",
            "XX",
            provider.npi.strip(),
        )
    ]


def _address(line1: str, line2: str, city: str, state: str, postal_code: str) -> list[str]:
    return [
        _seg("N3", _text(line1)[:55], _text(line2)[:55]),
        _seg("N4", _text(city)[:30], _text(state)[:2], _digits(postal_code)[:9]),
    ]


def _seg(segment_id: str, *elements: str) -> str:
    """A segment without trailing empty elements (X12 forbids them)."""
    values = list(elements)
    while values and values[-1] == "":
        values.pop()
    return ELEMENT.join([segment_id, *values]) + SEGMENT


def _composite(*parts: str) -> str:
    values = list(parts)
    while values and values[-1] == "":
        values.pop()
    return COMPONENT.join(values)


def _text(value: str) -> str:
    """Upper-case, basic character set, no delimiters, single spaces."""
    upper = value.upper().replace("*", " ").replace("~", " ").replace(":", " ").replace("^", " ")
    cleaned = _NOT_ALLOWED.sub(" ", upper)
    return " ".join(cleaned.split())


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isascii() and ch.isdigit())


def _amount(value: Decimal) -> str:
    """An X12 decimal (R): no exponent, no trailing zeros after the point."""
    text = format(
        value.quantize(Decimal("0.001")) if value != value.to_integral() else value.to_integral(),
        "f",
    )
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
