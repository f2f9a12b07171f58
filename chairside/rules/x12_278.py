"""ASC X12 278 Health Care Services Review (005010X217): write a request, read a response.

The loops follow the ASC X12N 278 Technical Report Type 3, "Health Care Services Review —
Request for Review and Response" (005010X217, with its errata 005010X217E1):

* header: ST*278*…*005010X217, BHT01 0007 (Information Source, Information Receiver,
  Subscriber, Dependent), BHT02 13 (Request) on a request and 11 (Response) on a response;
* 2000A/2010A the Utilization Management Organization (HL code 20, NM1*X3 with the payer
  identifier PI);
* 2000B/2010B the requester (HL 21, NM1*1P with its NPI after XX);
* 2000C/2010C the subscriber (HL 22, NM1*IL with the member ID after MI, DMG);
* 2000D/2010D the dependent when the patient is not the subscriber (HL 23, NM1*QC, DMG,
  INS*N with the relationship code);
* 2000E patient event (HL EV): TRN patient event tracking number, UM (UM01 HS health
  services review, UM02 certification type I initial, UM03 service type code, UM04 the
  facility as place of service code : B), DTP*AAH event date, HI diagnoses (ABK principal,
  then ABF), 2010EA the service provider (NM1*SJ with NPI, N3/N4);
* 2000F service (HL SS): UM, DTP*472 service date, SV1 (HC:HCPCS, unit basis UN, units),
  HSD (VS visits, with the period they are spread over).

A response carries the same levels; the decision is in the HCR segment of 2000E (and, for
each service, of 2000F): HCR01 action code, HCR02 the review identification (the
certification/authorization number), HCR03 the reason; REF*BB previous review authorization
number, REF*NT administrative reference number, DTP*102 certification issue date, DTP*036
expiration, DTP*007 effective (a D8 date or RD8 range), HSD the visits certified, SV1 the
units certified. An AAA segment at any level reports a request the UMO could not process
(AAA03 reject reason, AAA04 follow-up action).

pyx12 ships no 005010X217 map (its 278 maps are 4010 X094), so :func:`check_278` is our own
structural check: envelope counts and control numbers, the HL tree, and the required
segments and codes listed above.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from chairside.rules import authorization_states as states
from chairside.rules.charges import Person, Provider
from chairside.rules.x12_837p import (
    RELATIONSHIP_CODES,
    Party,
    _address,
    _composite,
    _digits,
    _isa_segment,
    _seg,
    _text,
)

VERSION = "005010X217"
# BHT01 hierarchical structure code 0007; BHT02 transaction set purpose (X12 code list 353).
STRUCTURE = "0007"
PURPOSE_REQUEST = "13"
PURPOSE_RESPONSE = "11"
# UM01 request category (code list 1525): HS Health Services Review.
REQUEST_CATEGORY = "HS"
# UM02 certification type (code list 1322): I Initial, R Renewal, S Revised, E Extension.
CERTIFICATION_TYPES = frozenset({"I", "R", "S", "E"})
# UM03 service type (code list 1365): 1 Medical Care — what payers' 278 companion guides
# ask for a provider-administered drug reviewed by its HCPCS code.
MEDICAL_CARE = "1"
# HSD01 VS visits; HSD05 time period qualifier (code list 615) 7 Day.
VISITS = "VS"
DAY = "7"

# HCR01 action codes (X12 code list 306 as used by 005010X217 HCR01).
ACTIONS: dict[str, str] = {
    "A1": "Certified in total",
    "A2": "Certified — partial",
    "A3": "Not certified",
    "A4": "Pended",
    "A6": "Modified",
    "C": "Cancelled",
    "CT": "Contact payer",
    "NA": "No action required",
}
CERTIFIED = frozenset({"A1", "A2", "A6"})

# AAA03 reject reason codes (code list 901) a UMO returns on a 278 most often.
REJECT_REASONS: dict[str, str] = {
    "04": "Authorized quantity exceeded",
    "15": "Required application data missing",
    "33": "Input errors",
    "35": "Out of network",
    "41": "Authorization/access restrictions",
    "42": "Unable to respond at current time",
    "43": "Invalid/missing provider identification",
    "44": "Invalid/missing provider name",
    "45": "Invalid/missing provider specialty",
    "47": "Invalid/missing provider state",
    "51": "Provider not on file",
    "52": "Service dates not within provider plan enrollment",
    "56": "Inappropriate date",
    "57": "Invalid/missing date(s) of service",
    "58": "Invalid/missing date-of-birth",
    "60": "Date of birth follows date(s) of service",
    "61": "Date of death precedes date(s) of service",
    "62": "Date of service not within allowable inquiry period",
    "64": "Invalid/missing patient ID",
    "65": "Invalid/missing patient name",
    "66": "Invalid/missing patient gender code",
    "67": "Patient not found",
    "68": "Duplicate patient ID number",
    "71": "Patient birth date does not match that for the patient on the database",
    "72": "Invalid/missing subscriber/insured ID",
    "73": "Invalid/missing subscriber/insured name",
    "75": "Subscriber/insured not found",
    "76": "Duplicate subscriber/insured ID number",
    "79": "Invalid participant identification",
    "AA": "Authorization number not found",
    "AF": "Invalid/missing diagnosis code(s)",
    "AG": "Invalid/missing procedure code(s)",
    "AO": "Additional patient condition information required",
    "T5": "Certification information missing",
}
# AAA04 follow-up action codes (code list 889).
FOLLOW_UPS: dict[str, str] = {
    "C": "Please correct and resubmit",
    "N": "Resubmission not allowed",
    "P": "Please resubmit original transaction",
    "R": "Resubmission allowed",
    "S": "Do not resubmit; inquiry initiated to a third party",
    "Y": "Do not resubmit; we will hand deliver the response",
}
_HL_CODES = {"20": "", "21": "20", "22": "21", "23": "22", "EV": "22|23", "SS": "EV"}


class Review278Error(ValueError):
    """A 278 that cannot be read: which segment, where, and why."""

    def __init__(self, segment: str, position: int | None, reason: str) -> None:
        self.segment = segment
        self.position = position
        self.reason = reason
        where = f"segment {segment}" + (f" (segment {position} of the file)" if position else "")
        super().__init__(f"{where}: {reason}")


# --- the request ----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceProvider:
    """Who gives the service (2010EA NM1*SJ): the infusion center, with its NPI."""

    name: str
    npi: str
    address_line1: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    tax_id: str = ""


@dataclass(frozen=True)
class RequestedService:
    """The drug asked for (2000F): HCPCS J-code, billing units and visits over the dates."""

    hcpcs: str
    units: int
    start: dt.date
    end: dt.date
    visits: int | None = None
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewRequest:
    """One request for review: payer, requester, subscriber (and patient), the service."""

    reference: str
    payer_name: str
    payer_id: str
    requester: Provider
    service_provider: ServiceProvider
    subscriber: Person
    member_id: str
    diagnoses: tuple[str, ...]
    place_of_service: str
    service: RequestedService
    patient: Person | None = None
    relationship: str = "self"
    certification_type: str = "I"
    service_type: str = MEDICAL_CARE


@dataclass(frozen=True)
class Interchange278:
    sender: Party
    receiver: Party
    control_number: int
    created_at: dt.datetime
    request: ReviewRequest
    production: bool = True


def request_problems(request: ReviewRequest) -> list[str]:
    """What keeps the request from being written, in words a coordinator can act on."""
    problems: list[str] = []
    service = request.service
    if not request.payer_id.strip():
        problems.append("The payer has no payer ID (2010A NM109): add it on the payer.")
    if not request.member_id.strip():
        problems.append("The coverage has no member ID (2010C NM109).")
    if len(_digits(request.requester.npi)) != 10:
        problems.append("The ordering provider has no 10-digit NPI (2010B NM109).")
    if len(_digits(request.service_provider.npi)) != 10:
        problems.append("The center has no 10-digit NPI (2010EA NM109): set it in billing.")
    if not request.diagnoses:
        problems.append("The order has no diagnosis (2000E HI needs at least one ICD-10-CM).")
    if not re.fullmatch(r"[A-Z]\d{4}", service.hcpcs or ""):
        problems.append(f"'{service.hcpcs}' is not a HCPCS Level II code (SV101-2).")
    if service.units < 1:
        problems.append("Request at least 1 unit (SV104).")
    if service.visits is not None and service.visits < 1:
        problems.append("Request at least 1 visit (HSD02), or leave visits out.")
    if service.end < service.start:
        problems.append("The last service date is before the first (DTP*472).")
    if request.certification_type not in CERTIFICATION_TYPES:
        problems.append("The certification type must be I, R, S or E (UM02).")
    if request.relationship not in RELATIONSHIP_CODES:
        problems.append(f"Unknown relationship to the subscriber: {request.relationship}.")
    if request.relationship != "self" and request.patient is None:
        problems.append("A dependent's request needs the patient's name (2010D).")
    return problems


def write_278(interchange: Interchange278) -> str:
    """Return the 278 request interchange as text, one segment a line.

    Raises ValueError listing :func:`request_problems`, or for an envelope out of range.
    """
    problems = request_problems(interchange.request)
    if not 1 <= interchange.control_number <= 999_999_999:
        problems.append("The interchange control number must be 1 to 999999999.")
    if interchange.created_at.utcoffset() is None:
        problems.append("created_at must be timezone-aware.")
    if problems:
        raise ValueError(" ".join(problems))
    body = _request_body(interchange.request, interchange.created_at)
    transaction = [_seg("ST", "278", "0001", VERSION), *body]
    transaction.append(_seg("SE", str(len(transaction) + 1), "0001"))
    stamp, number = interchange.created_at, f"{interchange.control_number:09d}"
    segments = [
        _isa_segment(
            interchange.sender, interchange.receiver, stamp, number, interchange.production
        ),
        _seg(
            "GS",
            "HI",  # GS01 functional identifier code HI: Health Care Services Review (278)
            _text(interchange.sender.identifier),
            _text(interchange.receiver.identifier),
            stamp.strftime("%Y%m%d"),
            stamp.strftime("%H%M"),
            str(interchange.control_number),
            "X",
            VERSION,
        ),
        *transaction,
        _seg("GE", "1", str(interchange.control_number)),
        _seg("IEA", "1", number),
    ]
    return "\n".join(segments) + "\n"


def _request_body(request: ReviewRequest, stamp: dt.datetime) -> list[str]:
    requester, provider, service = request.requester, request.service_provider, request.service
    dependent = request.relationship != "self"
    segments = [
        _seg(
            "BHT",
            STRUCTURE,
            PURPOSE_REQUEST,
            _text(request.reference)[:50],
            stamp.strftime("%Y%m%d"),
            stamp.strftime("%H%M"),
        ),
        _seg("HL", "1", "", "20", "1"),
        _seg(
            "NM1", "X3", "2", _text(request.payer_name)[:60], "", "", "", "", "PI", request.payer_id
        ),
        _seg("HL", "2", "1", "21", "1"),
        _seg(
            "NM1",
            "1P",
            "1",
            _text(requester.last_name)[:60],
            _text(requester.first_name)[:35],
            "",
            "",
            "",
            "XX",
            _digits(requester.npi),
        ),
        _seg("HL", "3", "2", "22", "1"),
        *_member("IL", request.subscriber, "MI", request.member_id),
    ]
    event_parent = "3"
    if dependent:
        assert request.patient is not None
        segments += [_seg("HL", "4", "3", "23", "1"), *_member("QC", request.patient, "", "")]
        segments.append(_seg("INS", "N", RELATIONSHIP_CODES[request.relationship]))
        event_parent = "4"
    event = str(int(event_parent) + 1)
    span = _range(service.start, service.end)
    codes = [code.replace(".", "").upper() for code in request.diagnoses[:12]]
    qualifiers = ["ABK", *["ABF"] * (len(codes) - 1)]
    segments += [
        _seg("HL", event, event_parent, "EV", "1"),
        *_trn(request.reference, provider.tax_id),
        _seg(
            "UM",
            REQUEST_CATEGORY,
            request.certification_type,
            request.service_type,
            _composite(request.place_of_service, "B"),
        ),
        _seg("DTP", "AAH", *span),
        _seg("HI", *(_composite(q, c) for q, c in zip(qualifiers, codes, strict=True))),
        _seg(
            "NM1",
            "SJ",
            "2",
            _text(provider.name)[:60],
            "",
            "",
            "",
            "",
            "XX",
            _digits(provider.npi),
        ),
    ]
    if provider.address_line1 and provider.city:
        segments += _address(
            provider.address_line1, "", provider.city, provider.state, provider.postal_code
        )
    segments += [
        _seg("HL", str(int(event) + 1), event, "SS", "0"),
        _seg("UM", REQUEST_CATEGORY, request.certification_type, request.service_type),
        _seg("DTP", "472", *span),
        _seg(
            "SV1",
            _composite("HC", service.hcpcs, *service.modifiers[:4]),
            "",
            "UN",
            str(service.units),
        ),
    ]
    if service.visits is not None:
        days = (service.end - service.start).days + 1
        segments.append(_seg("HSD", VISITS, str(service.visits), "", "", DAY, str(days)))
    return segments


def _member(qualifier: str, person: Person, id_qualifier: str, identifier: str) -> list[str]:
    ids = (id_qualifier, _text(identifier)) if id_qualifier else ()
    born = person.date_of_birth.strftime("%Y%m%d") if person.date_of_birth else ""
    segments = [
        _seg(
            "NM1",
            qualifier,
            "1",
            _text(person.last_name)[:60],
            _text(person.first_name)[:35],
            _text(person.middle_name)[:25],
            "",
            "",
            *ids,
        )
    ]
    if born:
        segments.append(_seg("DMG", "D8", born, person.sex if person.sex in ("F", "M") else "U"))
    return segments


def _trn(reference: str, tax_id: str) -> list[str]:
    """2000E TRN: trace type 1, our tracking number, and (TRN03) '1' plus the requester's
    EIN — the TR3's form of the originating company identifier. Left out without an EIN
    (the segment is situational on a request)."""
    ein = _digits(tax_id)
    if len(ein) != 9:
        return []
    return [_seg("TRN", "1", _text(reference)[:50], "1" + ein)]


def _range(start: dt.date, end: dt.date) -> tuple[str, str]:
    if start == end:
        return ("D8", start.strftime("%Y%m%d"))
    return ("RD8", f"{start:%Y%m%d}-{end:%Y%m%d}")


# --- reading any 278 ------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    seg_id: str
    elements: tuple[str, ...]
    position: int

    def get(self, index: int) -> str:
        """Element ``index`` (1-based, as the TR3 numbers them); empty when absent."""
        return self.elements[index - 1].strip() if 0 < index <= len(self.elements) else ""


def split_segments(text: str) -> tuple[list[Segment], str]:
    """The segments of an interchange and its component separator, from the ISA's own
    delimiters (ISA is fixed-width: element separator at 4th character, component
    separator at the 105th, segment terminator at the 106th)."""
    if not isinstance(text, str):
        raise Review278Error("ISA", 1, "The file is not text.")
    body = text.lstrip("\ufeff \r\n\t")
    if not body.startswith("ISA") or len(body) < 106:
        raise Review278Error("ISA", 1, "The file does not start with an ISA segment.")
    element, component, terminator = body[3], body[104], body[105]
    if len({element, component, terminator}) != 3 or terminator.isalnum():
        raise Review278Error("ISA", 1, "The ISA delimiters are not valid.")
    segments: list[Segment] = []
    for raw in body.split(terminator):
        cleaned = raw.strip("\r\n\t ")
        if not cleaned:
            continue
        parts = cleaned.split(element)
        segments.append(Segment(parts[0].upper(), tuple(parts[1:]), len(segments) + 1))
    return segments, component


# --- the response ---------------------------------------------------------------------


@dataclass(frozen=True)
class RequestError:
    """An AAA segment: the level it was at, the reject reason and the follow-up."""

    level: str
    reason_code: str
    follow_up: str

    @property
    def reason(self) -> str:
        return REJECT_REASONS.get(self.reason_code, f"reject reason {self.reason_code}")

    def __str__(self) -> str:
        follow = FOLLOW_UPS.get(self.follow_up, "")
        return f"{self.reason} ({_LEVELS.get(self.level, self.level)})" + (
            f": {follow.lower()}" if follow else ""
        )


_LEVELS = {
    "20": "payer",
    "21": "requester",
    "22": "subscriber",
    "23": "dependent",
    "EV": "patient event",
    "SS": "service",
}


@dataclass(frozen=True)
class ReviewResponse:
    """What a 278 response says about the request (the event level, with the service's
    certified units, visits and dates where the UMO gave them at the service level)."""

    reference: str
    trace_number: str
    action: str
    certification_number: str
    reason_code: str
    previous_number: str
    administrative_reference: str
    effective_start: dt.date | None
    effective_end: dt.date | None
    expires_on: dt.date | None
    issued_on: dt.date | None
    units: int | None
    visits: int | None
    hcpcs: str
    errors: tuple[RequestError, ...] = ()
    member_id: str = ""

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, "No decision") if self.action else "No decision"

    @property
    def start(self) -> dt.date | None:
        return self.effective_start

    @property
    def end(self) -> dt.date | None:
        return self.effective_end or self.expires_on


@dataclass
class _Level:
    code: str = ""
    facts: dict[str, str] = field(default_factory=dict)
    dates: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)


def parse_278_response(text: str) -> ReviewResponse:
    """Read a 278 response; raise Review278Error for anything that is not one.

    Runs :func:`check_278` first (the structure), then reads the event level (2000E) and
    the service level (2000F): HCR, REF*BB/NT, DTP*007/036/102 (and 472/AAH), HSD, SV1.
    """
    problems = check_278(text, purpose=PURPOSE_RESPONSE)
    if problems:
        first = problems[0]
        raise Review278Error(first.segment, first.position, first.message)
    segments, component = split_segments(text)
    header: dict[str, str] = {}
    levels: dict[str, _Level] = {"EV": _Level("EV"), "SS": _Level("SS")}
    errors: list[RequestError] = []
    current = ""
    for seg in segments:
        if seg.seg_id == "BHT":
            header["reference"] = seg.get(3)
        elif seg.seg_id == "HL":
            current = seg.get(3)
        elif seg.seg_id == "AAA":
            if seg.get(1) == "N":
                errors.append(RequestError(current, seg.get(3), seg.get(4)))
        elif seg.seg_id == "NM1" and seg.get(1) == "IL":
            header["member_id"] = seg.get(9)
        elif current in levels and not (current == "SS" and levels["SS"].code != "SS"):
            _read_level(levels[current], seg, component)
    return _response(header, levels["EV"], levels["SS"], tuple(errors))


def _read_level(level: _Level, seg: Segment, component: str) -> None:
    facts = level.facts
    if seg.seg_id == "TRN" and seg.get(1) in ("1", "2") and "trace" not in facts:
        facts["trace"] = seg.get(2)
    elif seg.seg_id == "HCR":
        facts["action"], facts["number"], facts["reason"] = seg.get(1), seg.get(2), seg.get(3)
    elif seg.seg_id == "REF" and seg.get(1) in ("BB", "NT"):
        facts[seg.get(1)] = seg.get(2)
    elif seg.seg_id == "DTP" and seg.get(1) in ("007", "036", "102", "472", "AAH"):
        level.dates[seg.get(1)] = _period(seg)
    elif seg.seg_id == "HSD" and seg.get(1) == VISITS and seg.get(2):
        facts["visits"] = seg.get(2)
    elif seg.seg_id == "SV1":
        parts = seg.get(1).split(component)
        facts["hcpcs"] = parts[1] if len(parts) > 1 else ""
        if seg.get(3) == "UN" and seg.get(4):
            facts["units"] = seg.get(4)


def _response(
    header: dict[str, str], event: _Level, service: _Level, errors: tuple[RequestError, ...]
) -> ReviewResponse:
    # A decision stated for the service (2000F) is the more specific one; else the event's.
    decided = service if service.facts.get("action") else event

    def fact(name: str) -> str:
        return decided.facts.get(name) or event.facts.get(name) or service.facts.get(name) or ""

    dates = {**event.dates, **service.dates}
    effective = dates.get("007")
    expiration = dates.get("036")
    issued = dates.get("102")
    return ReviewResponse(
        reference=header.get("reference", ""),
        trace_number=event.facts.get("trace", ""),
        action=fact("action"),
        certification_number=fact("number"),
        reason_code=fact("reason"),
        previous_number=fact("BB"),
        administrative_reference=fact("NT"),
        effective_start=effective[0] if effective else None,
        effective_end=effective[1] if effective and effective[1] != effective[0] else None,
        expires_on=expiration[1] if expiration else None,
        issued_on=issued[0] if issued else None,
        units=_count(service.facts.get("units") or event.facts.get("units"), "SV104"),
        visits=_count(service.facts.get("visits") or event.facts.get("visits"), "HSD02"),
        hcpcs=service.facts.get("hcpcs", ""),
        errors=errors,
        member_id=header.get("member_id", ""),
    )


def _count(raw: str | None, where: str) -> int | None:
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Review278Error(where[:-2], None, f"{where} '{raw}' is not a number.") from None
    if value != int(value) or value < 0:
        raise Review278Error(where[:-2], None, f"{where} '{raw}' is not a whole number.")
    return int(value)


def _date(text: str, seg: Segment) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        raise Review278Error(
            seg.seg_id, seg.position, f"'{text}' is not a CCYYMMDD date."
        ) from None


def _period(seg: Segment) -> tuple[dt.date, dt.date]:
    """A DTP's D8 date or RD8 range as (first, last)."""
    qualifier, value = seg.get(2), seg.get(3)
    if qualifier == "D8":
        day = _date(value, seg)
        return day, day
    if qualifier == "RD8" and "-" in value:
        first, _, last = value.partition("-")
        start, end = _date(first, seg), _date(last, seg)
        if end < start:
            raise Review278Error("DTP", seg.position, f"The range {value} ends before it starts.")
        return start, end
    raise Review278Error("DTP", seg.position, f"DTP02 must be D8 or RD8, not '{qualifier}'.")


# --- the structural check -------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    segment: str
    position: int | None
    message: str

    def __str__(self) -> str:
        where = f"segment {self.segment}" + (f" (#{self.position})" if self.position else "")
        return f"{where}: {self.message}"


def check_278(text: str, *, purpose: str) -> list[Problem]:
    """Check a 278's structure against the TR3 (005010X217); an empty list means it passes.

    ``purpose`` is the BHT02 expected: 13 for a request, 11 for a response. Checked: the
    ISA/GS/ST envelope (version 005010X217, transaction set 278, functional group HI) and
    its trailers (SE segment count, GE/IEA counts and control numbers), BHT01/02, the HL
    tree (20 → 21 → 22 → 23 → EV → SS, each parent existing), NM1*X3/1P/IL in their
    levels, and in a request UM01 HS with a known UM02 and at least one HI code. A
    response must carry an HCR with a known action code, or an AAA.
    """
    try:
        segments, component = split_segments(text)
    except Review278Error as exc:
        return [Problem(exc.segment, exc.position, exc.reason)]
    problems: list[Problem] = []
    problems += _envelope(segments)
    if problems:
        return problems
    problems += _hierarchy(segments, purpose)
    problems += _contents(segments, purpose, component)
    return problems


def _envelope(segments: list[Segment]) -> list[Problem]:
    ids = [s.seg_id for s in segments]
    problems: list[Problem] = []
    for needed in ("ISA", "GS", "ST", "BHT", "SE", "GE", "IEA"):
        if ids.count(needed) != 1:
            problems.append(
                Problem(
                    needed,
                    None,
                    f"expected exactly one {needed} segment, found {ids.count(needed)}",
                )
            )
    if problems:
        return problems
    isa, gs, st, se, ge, iea = (
        segments[ids.index(n)] for n in ("ISA", "GS", "ST", "SE", "GE", "IEA")
    )
    if ids[0] != "ISA" or ids[-1] != "IEA":
        problems.append(Problem("ISA", 1, "the interchange must start with ISA and end with IEA"))
    if gs.get(1) != "HI":
        problems.append(Problem("GS", gs.position, "GS01 must be HI (health care services review)"))
    if gs.get(8) != VERSION or st.get(3) != VERSION:
        problems.append(Problem("ST", st.position, f"this is not a {VERSION} 278 (GS08/ST03)"))
    if st.get(1) != "278":
        problems.append(Problem("ST", st.position, f"ST01 is {st.get(1) or 'empty'}, not 278"))
    count = se.position - st.position + 1
    if se.get(1) != str(count):
        problems.append(
            Problem("SE", se.position, f"SE01 says {se.get(1)} segments; there are {count}")
        )
    if se.get(2) != st.get(2):
        problems.append(Problem("SE", se.position, "SE02 does not match ST02"))
    if ge.get(1) != "1" or ge.get(2) != gs.get(6):
        problems.append(Problem("GE", ge.position, "GE must count 1 transaction and match GS06"))
    if iea.get(1) != "1" or iea.get(2) != isa.get(13):
        problems.append(Problem("IEA", iea.position, "IEA must count 1 group and match ISA13"))
    return problems


def _hierarchy(segments: list[Segment], purpose: str) -> list[Problem]:
    problems: list[Problem] = []
    bht = next(s for s in segments if s.seg_id == "BHT")
    if bht.get(1) != STRUCTURE:
        problems.append(Problem("BHT", bht.position, f"BHT01 must be {STRUCTURE}"))
    if bht.get(2) != purpose:
        kind = "request (13)" if purpose == PURPOSE_REQUEST else "response (11)"
        problems.append(
            Problem(
                "BHT", bht.position, f"BHT02 is {bht.get(2) or 'empty'}: this is not a 278 {kind}"
            )
        )
    levels: dict[str, str] = {}
    for seg in (s for s in segments if s.seg_id == "HL"):
        number, parent, code = seg.get(1), seg.get(2), seg.get(3)
        if code not in _HL_CODES:
            problems.append(Problem("HL", seg.position, f"unknown level code HL03 '{code}'"))
            continue
        allowed = _HL_CODES[code].split("|") if _HL_CODES[code] else [""]
        if number in levels:
            problems.append(Problem("HL", seg.position, f"HL01 {number} is used twice"))
        if (levels.get(parent, "") if parent else "") not in allowed:
            problems.append(
                Problem("HL", seg.position, f"level {code} must sit under {' or '.join(allowed)}")
            )
        levels[number] = code
    codes = set(levels.values())
    for code in ("20", "21", "22"):
        if code not in codes:
            problems.append(
                Problem("HL", None, f"the {_LEVELS[code]} level (HL {code}) is missing")
            )
    if purpose == PURPOSE_REQUEST and "EV" not in codes:
        problems.append(Problem("HL", None, "the patient event level (HL EV) is missing"))
    return problems


_ENTITY = {"20": "X3", "21": "1P", "22": "IL", "23": "QC"}


def _contents(segments: list[Segment], purpose: str, component: str) -> list[Problem]:
    problems: list[Problem] = []
    problems += _names(segments)
    for seg in segments:
        problems += _segment_problems(seg, purpose, component)
    ids = {s.seg_id for s in segments}
    if purpose == PURPOSE_REQUEST and "HI" not in ids:
        problems.append(Problem("HI", None, "the patient event needs at least one diagnosis (HI)"))
    if purpose == PURPOSE_RESPONSE and not ids & {"HCR", "AAA"}:
        problems.append(
            Problem("HCR", None, "the response has no decision (HCR) and no error (AAA)")
        )
    return problems


def _names(segments: list[Segment]) -> list[Problem]:
    """Each of the levels 20, 21, 22, 23 names its entity (NM1*X3, 1P, IL, QC)."""
    problems: list[Problem] = []
    named: dict[str, bool] = {}
    current = ""
    for seg in segments:
        if seg.seg_id == "HL":
            current = seg.get(3)
            named.setdefault(current, False)
        elif seg.seg_id == "NM1" and seg.get(1) == _ENTITY.get(current):
            named[current] = True
            if not seg.get(3):
                problems.append(Problem("NM1", seg.position, "NM103 (name) is required"))
    for level, found in named.items():
        if level in _ENTITY and not found:
            problems.append(Problem("NM1", None, f"NM1*{_ENTITY[level]} missing in HL {level}"))
    return problems


def _segment_problems(seg: Segment, purpose: str, component: str) -> list[Problem]:
    where = seg.position
    if seg.seg_id == "UM" and purpose == PURPOSE_REQUEST:
        found = []
        if seg.get(1) != REQUEST_CATEGORY:
            found.append(Problem("UM", where, "UM01 must be HS (health services review)"))
        if seg.get(2) not in CERTIFICATION_TYPES:
            found.append(Problem("UM", where, f"UM02 '{seg.get(2)}' is not I, R, S or E"))
        return found
    if seg.seg_id == "HI":
        wanted = ["ABK", *["ABF"] * (len(seg.elements) - 1)]
        return [
            Problem("HI", where, f"HI{n:02d} must be {w}")
            for n, (composite, w) in enumerate(zip(seg.elements, wanted, strict=True), start=1)
            if composite.split(component)[0] != w
        ]
    if seg.seg_id == "HCR" and seg.get(1) not in ACTIONS:
        return [Problem("HCR", where, f"unknown action code HCR01 '{seg.get(1)}'")]
    if seg.seg_id == "DTP":
        try:
            _period(seg)
        except Review278Error as exc:
            return [Problem("DTP", where, exc.reason)]
    return []


# --- a response (the payer's side: for the demo and tests) ---------------------------


@dataclass(frozen=True)
class Decision:
    """What the UMO decided, to write as a 278 response to a request."""

    action: str
    certification_number: str = ""
    reason_code: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    units: int | None = None
    visits: int | None = None
    reject_reason: str = ""
    follow_up: str = "C"


def write_278_response(
    request: ReviewRequest,
    decision: Decision,
    *,
    sender: Party,
    receiver: Party,
    control_number: int,
    created_at: dt.datetime,
) -> str:
    """A 278 response (BHT02 11) to ``request``: HCR with the decision at the patient event
    and the service levels, the certification dates (DTP*007) and the certified units
    (SV1) and visits (HSD); or, with ``reject_reason``, an AAA at the subscriber level."""
    event = request.service
    segments = [
        _seg(
            "BHT",
            STRUCTURE,
            PURPOSE_RESPONSE,
            _text(request.reference)[:50],
            created_at.strftime("%Y%m%d"),
            created_at.strftime("%H%M"),
        ),
        _seg("HL", "1", "", "20", "1"),
        _seg(
            "NM1", "X3", "2", _text(request.payer_name)[:60], "", "", "", "", "PI", request.payer_id
        ),
        _seg("HL", "2", "1", "21", "1"),
        _seg(
            "NM1",
            "1P",
            "1",
            _text(request.requester.last_name),
            _text(request.requester.first_name),
            "",
            "",
            "",
            "XX",
            _digits(request.requester.npi),
        ),
        _seg("HL", "3", "2", "22", "1"),
    ]
    member = _member("IL", request.subscriber, "MI", request.member_id)
    if decision.reject_reason:
        # 2010C: NM1, (REF, N3, N4), AAA, DMG — the UMO's subscriber validation.
        member.insert(1, _seg("AAA", "N", "", decision.reject_reason, decision.follow_up))
    segments += member
    if not decision.reject_reason:
        certified = []
        if decision.start and decision.end:
            certified.append(_seg("DTP", "007", *_range(decision.start, decision.end)))
        hcr = _seg("HCR", decision.action, decision.certification_number, decision.reason_code)
        segments += [
            _seg("HL", "4", "3", "EV", "1"),
            _seg("UM", REQUEST_CATEGORY, request.certification_type, request.service_type),
            hcr,
            *certified,
            _seg("HL", "5", "4", "SS", "0"),
            _seg("UM", REQUEST_CATEGORY, request.certification_type, request.service_type),
            hcr,
            *certified,
        ]
        if decision.units is not None:
            segments.append(
                _seg("SV1", _composite("HC", event.hcpcs), "", "UN", str(decision.units))
            )
        if decision.visits is not None:
            segments.append(_seg("HSD", VISITS, str(decision.visits)))
    transaction = [_seg("ST", "278", "0001", VERSION), *segments]
    transaction.append(_seg("SE", str(len(transaction) + 1), "0001"))
    number = f"{control_number:09d}"
    return (
        "\n".join(
            [
                _isa_segment(sender, receiver, created_at, number, True),
                _seg(
                    "GS",
                    "HI",
                    _text(sender.identifier),
                    _text(receiver.identifier),
                    created_at.strftime("%Y%m%d"),
                    created_at.strftime("%H%M"),
                    str(control_number),
                    "X",
                    VERSION,
                ),
                *transaction,
                _seg("GE", "1", str(control_number)),
                _seg("IEA", "1", number),
            ]
        )
        + "\n"
    )


# --- from a response to a change of the authorization --------------------------------


@dataclass(frozen=True)
class Proposal:
    """The change a 278 response proposes to an authorization.

    ``steps``: the statuses to move through, in order (each move checked against the
    authorization state machine); empty when the response changes no status. ``details``
    the fields to record (number, dates, units, visits). ``refusal`` says why the response
    cannot be applied to the authorization as it stands (nothing is then proposed).
    """

    action: str
    steps: tuple[str, ...]
    details: dict[str, object]
    reason: str = ""
    note: str = ""
    refusal: str = ""

    @property
    def applies(self) -> bool:
        return not self.refusal and bool(self.steps or self.details)


def propose(response: ReviewResponse, current: str) -> Proposal:
    """What the authorization (now in status ``current``) becomes if the coordinator
    confirms ``response``.

    Certified (A1 in total, A2 partly, A6 modified) → approved with the number (HCR02),
    the certification dates (DTP*007, else the expiration DTP*036 as the end) and the
    certified units/visits; not certified (A3) → denied with the reason (HCR03); pended (A4)
    → submitted; no action required (NA) → not required. A response with AAA errors, or
    contact payer (CT) or cancelled (C), changes nothing. An authorization still "to submit"
    passes through "submitted" on its way to a decision (the payer has it); an approval
    already recorded is corrected in place by A1/A2/A6.
    """
    action = response.action
    refusal = _no_decision(response)
    target, details, reason = _target(response)
    if not refusal and target == "":
        refusal = f"Action code {action} is not one Chairside reads."
    if not refusal and target == states.APPROVED:
        refusal = _approval_missing(response)
    if refusal:
        return Proposal(action, (), {}, refusal=refusal)
    if current == target:
        if target == states.APPROVED:
            return Proposal(action, (), details, note="The approval on file is corrected in place.")
        return Proposal(action, (), {}, refusal=f"The authorization is already {_label(current)}.")
    steps = _path(current, target)
    if not steps:
        nexts = ", ".join(_label(s) for s in states.AUTHORIZATION.next_states(current))
        return Proposal(
            action,
            (),
            {},
            refusal=(
                f"A '{ACTIONS[action].lower()}' response cannot move an authorization that is "
                f"{_label(current)} (it can only become: {nexts or 'nothing'})."
            ),
        )
    return Proposal(action, steps, details, reason=reason)


def _no_decision(response: ReviewResponse) -> str:
    if response.errors:
        listed = "; ".join(str(e) for e in response.errors)
        return f"The payer could not process the request: {listed}."
    return {
        "CT": "The payer asks you to contact them (HCR01 CT). Nothing to record from it.",
        "C": "The payer cancelled the certification (HCR01 C). Nothing to record from it.",
        "": "The response has no decision (HCR). Nothing to record from it.",
    }.get(response.action, "")


def _path(current: str, target: str) -> tuple[str, ...]:
    """The moves from ``current`` to ``target``: direct, or through "submitted"."""
    allowed = states.AUTHORIZATION.next_states(current)
    if target in allowed:
        return (target,)
    if states.SUBMITTED in allowed and target in states.AUTHORIZATION.next_states(states.SUBMITTED):
        return (states.SUBMITTED, target)
    return ()


def _target(response: ReviewResponse) -> tuple[str, dict[str, object], str]:
    action = response.action
    if action in CERTIFIED:
        details: dict[str, object] = {
            "authorization_number": response.certification_number,
            "start_on": response.start,
            "end_on": response.end,
            "units_authorized": response.units,
            "visits_authorized": response.visits,
        }
        return states.APPROVED, details, ""
    if action == "A3":
        code = response.reason_code
        text = (
            f"Not certified by the payer (278 HCR03 reason {code})"
            if code
            else "Not certified by the payer (278 response)"
        )
        number: dict[str, object] = {}
        if response.certification_number:
            number["authorization_number"] = response.certification_number
        return states.DENIED, number, text + "."
    if action == "A4":
        return states.SUBMITTED, {}, ""
    if action == "NA":
        return states.NOT_REQUIRED, {}, ""
    return "", {}, ""


def _approval_missing(response: ReviewResponse) -> str:
    if not response.certification_number:
        return "The response certifies the request but gives no certification number (HCR02)."
    if response.start is None or response.end is None:
        return (
            "The response certifies the request but gives no certification dates "
            "(DTP*007 effective, or DTP*036 expiration)."
        )
    if response.end < response.start:
        return "The certification ends before it starts."
    return ""


def _label(status: str) -> str:
    return states.AUTHORIZATION.label(status).lower()
