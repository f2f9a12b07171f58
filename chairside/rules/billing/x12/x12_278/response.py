"""Reading a 278 response (BHT02 11), and writing one (the payer's side)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from chairside.rules.billing.x12.x12_278.check import check_278
from chairside.rules.billing.x12.x12_278.codes import (
    ACTIONS,
    FOLLOW_UPS,
    PURPOSE_RESPONSE,
    REJECT_REASONS,
    REQUEST_CATEGORY,
    STRUCTURE,
    VERSION,
    VISITS,
    Review278Error,
)
from chairside.rules.billing.x12.x12_278.request import ReviewRequest, _member, _range
from chairside.rules.billing.x12.x12_278.segments import _LEVELS, Segment, _period, split_segments
from chairside.rules.billing.x12.x12_837p import (
    Party,
    _composite,
    _digits,
    _isa_segment,
    _seg,
    _text,
)

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
