"""The 278 request writer (BHT02 13)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from chairside.rules.billing.charges import Person, Provider
from chairside.rules.billing.x12.x12_278.codes import (
    CERTIFICATION_TYPES,
    DAY,
    MEDICAL_CARE,
    PURPOSE_REQUEST,
    REQUEST_CATEGORY,
    STRUCTURE,
    VERSION,
    VISITS,
)
from chairside.rules.billing.x12.x12_837p import (
    RELATIONSHIP_CODES,
    Party,
    _address,
    _composite,
    _digits,
    _isa_segment,
    _seg,
    _text,
)

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
