"""ASC X12 271 Health Care Eligibility Benefit Response (005010X279A1): read one into what
a benefits coordinator records, and write one (the payer's side: tests and the demo).

The loops follow the ASC X12N 270/271 TR3 (005010X279A1), section 2.5 (the 271): 2000A/2100A
the information source (``NM1*PR``), 2000B/2100B the receiver (``NM1*1P``), 2000C/2100C the
subscriber (``TRN*2`` echoing our trace number, ``NM1*IL``, ``REF*6P`` group number,
``DTP`` plan dates, ``AAA`` rejections), 2000D/2100D the dependent, and 2110C/2110D one
``EB`` per benefit with its ``DTP``s and ``MSG``s. What is read from an EB (code lists as
printed in the TR3):

* EB01 (code list 1390 "Eligibility or Benefit Information"): ``1``-``5`` active coverage
  (1 active; 2-4 capitated; 5 pending investigation), ``6``-``8`` inactive (6 inactive;
  7 pending eligibility update; 8 pending investigation), ``A`` co-insurance (EB08 the
  patient's share as a decimal fraction, .2 = 20%), ``B`` co-payment (EB07 dollars),
  ``C`` deductible and ``G`` out of pocket (stop loss) (EB07 dollars);
* EB02 coverage level (list 1207): ``IND`` individual is preferred over ``FAM`` family;
* EB03 service types (list 1365, repeating with ``^``); EB05 the plan's description;
* EB06 time period (list 615): ``29`` remaining, ``24`` year to date (met so far), ``23``
  calendar year, ``22`` service year, ``25`` contract, ``32`` lifetime (the total);
* EB11 authorization or certification required (``Y``/``N``/``U``), EB12 in plan network
  (``Y`` in network, ``N`` out of network, ``W`` not applicable: both): in-network values
  are preferred, out-of-network ones are kept only when nothing else is given;
* DTP (list 374) ``346`` plan begin, ``347`` plan end, ``356`` eligibility begin, ``357``
  eligibility end, ``291`` plan (a range ``RD8`` CCYYMMDD-CCYYMMDD), ``307`` eligibility.

AAA (2100A/2100B/2100C/2100D/2110C) rejects the request: AAA01 ``N`` (not valid), AAA03 the
reject reason (list 901), AAA04 the follow-up action (list 889); each becomes a sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from chairside.rules.billing.x12.x12_270 import VERSION, read_segments
from chairside.rules.billing.x12.x12_837p import Party, _isa_segment, _seg, _text

ACTIVE = frozenset({"1", "2", "3", "4", "5"})
INACTIVE = frozenset({"6", "7", "8"})
TOTAL_PERIODS = frozenset({"22", "23", "25", "32"})
REMAINING = "29"
YEAR_TO_DATE = "24"
COST_SHARE_CODES = frozenset({"A", "B", "C", "G"})

# AAA03 reject reason codes (X12 code list 901) → what a coordinator does about it.
REJECT_REASONS: dict[str, str] = {
    "15": "information the payer requires is missing from the request",
    "41": "the payer does not let this provider make this inquiry (authorization/access "
    "restrictions)",
    "42": "the payer's system cannot answer right now",
    "43": "the provider's ID (NPI) is invalid or missing",
    "44": "the provider's name is invalid or missing",
    "50": "the provider is not eligible to ask the payer about eligibility",
    "51": "the payer has no record of the provider",
    "52": "the date asked about is outside the provider's enrolment with the plan",
    "56": "the date asked about is not one the payer accepts",
    "57": "the date of service is invalid or missing",
    "58": "the date of birth is invalid or missing",
    "62": "the date asked about is outside the period the payer answers for",
    "63": "the date asked about is in the future",
    "64": "the patient's ID is invalid or missing",
    "65": "the patient's name is invalid or missing",
    "67": "the payer did not find the patient",
    "71": "the date of birth does not match the payer's record",
    "72": "the member ID is invalid or missing",
    "73": "the subscriber's name is invalid or missing",
    "75": "the payer did not find the subscriber",
    "76": "the payer has the member ID more than once",
    "77": "the payer found the subscriber but not the patient under them",
    "78": "the subscriber is not in the group or plan named",
    "79": "the payer cannot identify the participant",
    "80": "no answer came back from the payer: the inquiry was ended",
    "T4": "the payer's name or ID is missing",
}
# AAA04 follow-up action codes (X12 code list 889).
FOLLOW_UP: dict[str, str] = {
    "C": "Correct the request and check again.",
    "N": "The payer does not accept a new inquiry for this.",
    "P": "Send the same inquiry again.",
    "R": "A new inquiry may be sent.",
    "S": "Do not send again: the payer is asking a third party.",
    "W": "Wait 30 days before checking again.",
    "X": "Wait 10 days before checking again.",
    "Y": "Do not send again: the payer will answer on paper.",
}


class EligibilityError(ValueError):
    """A 271 that cannot be read: which segment, on which line, and why."""

    def __init__(self, segment: str, line: int | None, reason: str) -> None:
        self.segment = segment
        self.line = line
        self.reason = reason
        where = f"segment {segment}" + (f" (line {line})" if line else "")
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Rejection:
    """An AAA segment: where it came, the reason and follow-up codes, and in words."""

    loop: str
    reason: str
    follow_up: str

    @property
    def message(self) -> str:
        reason = REJECT_REASONS.get(self.reason, f"the payer rejected it (reason {self.reason})")
        text = f"The payer could not answer: {reason} (AAA {self.reason})."
        follow = FOLLOW_UP.get(self.follow_up, "")
        return f"{text} {follow}".strip()


@dataclass(frozen=True)
class Benefit:
    """One EB segment as read (amounts as Decimal, percent as a fraction)."""

    code: str
    level: str = ""
    service_types: tuple[str, ...] = ()
    insurance_type: str = ""
    plan: str = ""
    period: str = ""
    amount: Decimal | None = None
    percent: Decimal | None = None
    authorization: str = ""
    network: str = ""
    hl_level: str = "22"


@dataclass(frozen=True)
class Eligibility:
    """What the payer said about one coverage (the 271 of one subscriber or dependent)."""

    trace_number: str
    payer_name: str
    payer_id: str
    member_id: str
    subscriber_name: str
    patient_name: str = ""
    active: bool | None = None
    plan_name: str = ""
    group_number: str = ""
    plan_begin: dt.date | None = None
    plan_end: dt.date | None = None
    eligibility_begin: dt.date | None = None
    deductible: Decimal | None = None
    deductible_remaining: Decimal | None = None
    deductible_met: Decimal | None = None
    out_of_pocket_max: Decimal | None = None
    out_of_pocket_remaining: Decimal | None = None
    out_of_pocket_met: Decimal | None = None
    coinsurance_percent: Decimal | None = None
    copay: Decimal | None = None
    prior_authorization: bool | None = None
    out_of_network_only: bool = False
    rejections: tuple[Rejection, ...] = ()
    benefits: tuple[Benefit, ...] = field(default=(), repr=False)

    @property
    def rejected(self) -> bool:
        return bool(self.rejections)

    def summary(self) -> dict[str, Any]:
        """JSON-safe: what the exchange record keeps (dates ISO, amounts as text)."""
        data = asdict(self)
        data.pop("benefits")
        data["rejections"] = [
            {"loop": r.loop, "reason": r.reason, "follow_up": r.follow_up, "message": r.message}
            for r in self.rejections
        ]
        return {key: _json(value) for key, value in data.items()}


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass
class _Reading:
    header: dict[str, str] = field(default_factory=dict)
    level: str = ""
    entity: str = ""
    benefits: list[Benefit] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    dates: dict[str, tuple[dt.date, dt.date | None]] = field(default_factory=dict)
    in_entity_loop: bool = False


def parse_271(text: str) -> Eligibility:
    """Read a 271; raise EligibilityError when it is not a readable 005010X279A1 271."""
    segments, problems = read_segments(text)
    if problems:
        first = problems[0]
        raise EligibilityError(first.segment, first.line, first.message)
    state = _Reading()
    for seg_id, el, line in segments:
        _read(state, seg_id, el, line)
    if "ST" not in state.header:
        raise EligibilityError("ST", None, "no 271 transaction in the file")
    if "trace" not in state.header and not state.rejections:
        raise EligibilityError("TRN", None, "the 271 does not echo the inquiry's trace number")
    return _eligibility(state)


def _read(state: _Reading, seg_id: str, el: list[str], line: int) -> None:
    def v(position: int) -> str:
        return el[position - 1] if len(el) >= position else ""

    if seg_id == "GS" and v(1) != "HB":
        raise EligibilityError(
            "GS", line, "this is not a 271 eligibility response (GS01 is not HB)"
        )
    if seg_id == "ST":
        if v(1) != "271" or (v(3) and v(3) != VERSION):
            raise EligibilityError("ST", line, f"expected a 271 of version {VERSION}")
        state.header["ST"] = v(2)
    elif seg_id == "HL":
        state.level, state.in_entity_loop = v(3), False
    elif seg_id == "LS":
        state.in_entity_loop = True  # 2120C/D: a related entity (e.g. the PCP), not ours
    elif seg_id == "LE":
        state.in_entity_loop = False
    elif seg_id == "NM1" and not state.in_entity_loop:
        _name(state, el)
    elif seg_id == "TRN" and v(1) == "2":
        state.header.setdefault("trace", v(2))
    elif seg_id == "REF" and v(1) in {"6P", "18"} and not state.in_entity_loop:
        state.header.setdefault("group" if v(1) == "6P" else "plan_number", v(2))
    elif seg_id == "AAA" and v(1) == "N":
        loop = {"20": "source", "21": "receiver", "22": "subscriber", "23": "dependent"}
        state.rejections.append(Rejection(loop.get(state.level, "request"), v(3), v(4)))
    elif seg_id == "EB":
        state.benefits.append(_benefit(state, el, line))
    elif seg_id == "DTP" and not state.in_entity_loop:
        _date(state, el, line)


def _name(state: _Reading, el: list[str]) -> None:
    entity = el[0]
    name = " ".join(p for p in (el[3] if len(el) > 3 else "", el[2] if len(el) > 2 else "") if p)
    ident = el[8] if len(el) > 8 else ""
    if entity == "PR":
        state.header["payer_name"], state.header["payer_id"] = el[2] if len(el) > 2 else "", ident
    elif entity == "IL":
        state.header["subscriber"], state.header["member_id"] = name, ident
    elif entity == "03":
        state.header["patient"] = name


def _benefit(state: _Reading, el: list[str], line: int) -> Benefit:
    def v(position: int) -> str:
        return el[position - 1] if len(el) >= position else ""

    return Benefit(
        code=v(1),
        level=v(2),
        service_types=tuple(c for c in v(3).split("^") if c),
        insurance_type=v(4),
        plan=v(5),
        period=v(6),
        amount=_decimal(v(7), "EB07", line),
        percent=_decimal(v(8), "EB08", line),
        authorization=v(11),
        network=v(12),
        hl_level=state.level,
    )


def _decimal(text: str, where: str, line: int) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise EligibilityError(where, line, f"{where} {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise EligibilityError(where, line, f"{where} {text!r} is not a number")
    return value


def _date(state: _Reading, el: list[str], line: int) -> None:
    qualifier, form, text = (el + ["", "", ""])[:3]
    if form not in {"D8", "RD8"}:
        return
    try:
        parts = [dt.date(int(p[:4]), int(p[4:6]), int(p[6:8])) for p in text.split("-")]
    except ValueError:
        raise EligibilityError("DTP", line, f"DTP03 {text!r} is not a date") from None
    if qualifier not in state.dates:
        state.dates[qualifier] = (parts[0], parts[1] if len(parts) > 1 else None)


def _eligibility(state: _Reading) -> Eligibility:
    h = state.header
    ours = _patient_level(state.benefits)
    status = [b for b in ours if b.code in ACTIVE | INACTIVE]
    active = (
        True
        if any(b.code in ACTIVE for b in status)
        else (False if any(b.code in INACTIVE for b in status) else None)
    )
    deductible = _amounts(ours, "C")
    oop = _amounts(ours, "G")
    begin, end = _plan_dates(state.dates)
    coinsurance = _pick(ours, "A", lambda b: b.percent)
    copay = _pick(ours, "B", lambda b: b.amount)
    auth = {b.authorization for b in ours if b.authorization in {"Y", "N"}}
    plan = next((b.plan for b in status if b.plan), "")
    in_network = [b for b in ours if b.network in {"Y", "W", ""} and b.code in COST_SHARE_CODES]
    return Eligibility(
        trace_number=h.get("trace", ""),
        payer_name=h.get("payer_name", ""),
        payer_id=h.get("payer_id", ""),
        member_id=h.get("member_id", ""),
        subscriber_name=h.get("subscriber", ""),
        patient_name=h.get("patient", ""),
        active=None if state.rejections and active is None else active,
        plan_name=plan,
        group_number=h.get("group", ""),
        plan_begin=begin,
        plan_end=end,
        eligibility_begin=state.dates.get("356", (None, None))[0],
        deductible=deductible[0],
        deductible_remaining=deductible[1],
        deductible_met=deductible[2],
        out_of_pocket_max=oop[0],
        out_of_pocket_remaining=oop[1],
        out_of_pocket_met=oop[2],
        coinsurance_percent=None if coinsurance is None else _percent(coinsurance),
        copay=copay,
        prior_authorization=True if "Y" in auth else (False if auth == {"N"} else None),
        out_of_network_only=bool(
            [b for b in ours if b.code in COST_SHARE_CODES and b.network == "N"] and not in_network
        ),
        rejections=tuple(state.rejections),
        benefits=tuple(state.benefits),
    )


def _patient_level(benefits: list[Benefit]) -> list[Benefit]:
    """The dependent's benefits when the 271 has a dependent loop, else the subscriber's."""
    dependent = [b for b in benefits if b.hl_level == "23"]
    return dependent or [b for b in benefits if b.hl_level == "22"]


def _rank(benefit: Benefit) -> tuple[int, int, int]:
    """In network before out of network; individual before family; 30 before others."""
    network = 0 if benefit.network in {"Y", "W", ""} else 1
    level = {"IND": 0, "": 1}.get(benefit.level, 2)
    generic = 0 if not benefit.service_types or "30" in benefit.service_types else 1
    return network, level, generic


def _pick(benefits: list[Benefit], code: str, value: Any) -> Decimal | None:
    found = sorted((b for b in benefits if b.code == code and value(b) is not None), key=_rank)
    return value(found[0]) if found else None


def _amounts(
    benefits: list[Benefit], code: str
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(the total for the period, what remains, what is met) of a deductible or OOP maximum;
    met = total - remaining when the payer gives the remaining amount, else its year to
    date amount."""
    found = sorted((b for b in benefits if b.code == code and b.amount is not None), key=_rank)
    if not found:
        return None, None, None
    best = _rank(found[0])[:2]
    same = [b for b in found if _rank(b)[:2] == best]
    total = next((b.amount for b in same if b.period in TOTAL_PERIODS or not b.period), None)
    remaining = next((b.amount for b in same if b.period == REMAINING), None)
    to_date = next((b.amount for b in same if b.period == YEAR_TO_DATE), None)
    met = to_date
    if total is not None and remaining is not None:
        met = max(total - remaining, Decimal(0))
    return total, remaining, met


def _percent(fraction: Decimal) -> Decimal:
    """EB08 is a fraction (.2); a payer that sends 20 means 20%."""
    value = fraction * 100 if fraction <= 1 else fraction
    return value.quantize(Decimal("0.01"))


def _plan_dates(
    dates: dict[str, tuple[dt.date, dt.date | None]],
) -> tuple[dt.date | None, dt.date | None]:
    if "291" in dates:
        return dates["291"]
    begin = dates.get("346", (None, None))[0]
    end = dates.get("347", (None, None))[0]
    return begin, end


# --- what the coordinator sees: the proposal and what changed -------------------------

# The benefits record's fields a 271 can fill, with the labels a coordinator reads.
PROPOSAL_LABELS: dict[str, str] = {
    "coverage_active": "Coverage active",
    "plan_year": "Plan year",
    "pa_required": "Prior authorization",
    "deductible": "Deductible",
    "deductible_met": "Deductible met",
    "out_of_pocket_max": "Out-of-pocket maximum",
    "out_of_pocket_met": "Out-of-pocket met",
    "coinsurance_percent": "Coinsurance (patient %)",
    "copay": "Copay per visit",
    "plan_name": "Plan",
    "group_number": "Group number",
}
# Differences that flag a re-check: the coverage itself, the plan, prior authorization and
# the cost-share terms. What is met of the deductible or out-of-pocket maximum moves with
# every claim and is proposed, not flagged.
FLAGGED = {
    "coverage_active": "coverage",
    "plan_name": "plan",
    "group_number": "plan",
    "pa_required": "authorization",
    "deductible": "cost_share",
    "out_of_pocket_max": "cost_share",
    "coinsurance_percent": "cost_share",
    "copay": "cost_share",
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    current: Any
    proposed: Any
    kind: str  # "coverage", "plan", "authorization", "cost_share", or "" (not flagged)

    @property
    def blocking(self) -> bool:
        """The coverage ended, or the payer now wants prior authorization."""
        return (self.kind == "coverage" and self.proposed is False) or (
            self.kind == "authorization" and self.proposed == "yes"
        )

    @property
    def sentence(self) -> str:
        if self.kind == "coverage" and self.proposed is False:
            return "The payer says the coverage is no longer active."
        if self.kind == "authorization" and self.proposed == "yes":
            return "The payer now requires prior authorization."
        return f"{self.label}: {_show(self.current)} on file, {_show(self.proposed)} at the payer."


def _show(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def proposed_benefits(eligibility: Eligibility) -> dict[str, Any]:
    """The benefits fields the 271 answers (only those it gives a value for)."""
    e = eligibility
    found: dict[str, Any] = {
        "coverage_active": e.active,
        "plan_year": e.plan_begin.year if e.plan_begin else None,
        "pa_required": None
        if e.prior_authorization is None
        else ("yes" if e.prior_authorization else "no"),
        "deductible": e.deductible,
        "deductible_met": e.deductible_met,
        "out_of_pocket_max": e.out_of_pocket_max,
        "out_of_pocket_met": e.out_of_pocket_met,
        "coinsurance_percent": e.coinsurance_percent,
        "copay": e.copay,
        "plan_name": e.plan_name,
        "group_number": e.group_number,
    }
    return {key: value for key, value in found.items() if value is not None and value != ""}


def benefit_changes(current: dict[str, Any], proposed: dict[str, Any]) -> list[Change]:
    """Each proposed value that differs from the one on file (amounts compared as numbers;
    a plan name compared without case or spacing)."""
    changes = []
    for name, value in proposed.items():
        now = current.get(name)
        if _same(now, value):
            continue
        kind = FLAGGED.get(name, "")
        if name in {"plan_name", "group_number"} and not now:
            kind = ""  # nothing on file to differ from: filled in, not changed
        changes.append(Change(name, PROPOSAL_LABELS.get(name, name), now, value, kind))
    return changes


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal | int) and not isinstance(a, bool) and isinstance(b, Decimal | int):
        return Decimal(a) == Decimal(b)
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.upper().split()) == " ".join(b.upper().split())
    return bool(a == b)


# --- writing (the payer's side: tests and the demo) -----------------------------------


@dataclass(frozen=True)
class Answer:
    """What a payer answers: EB segments as (EB01, EB02, EB03, EB06, EB07, EB08, EB11, EB12)
    tuples, plan dates, AAA rejections (reason, follow-up) at the subscriber level."""

    trace_number: str
    payer_name: str
    payer_id: str
    provider_name: str
    provider_npi: str
    subscriber: tuple[str, str]  # last, first
    member_id: str
    dependent: tuple[str, str] | None = None
    plan_name: str = ""
    group_number: str = ""
    plan_begin: dt.date | None = None
    plan_end: dt.date | None = None
    benefits: tuple[tuple[str, ...], ...] = ()
    rejections: tuple[tuple[str, str], ...] = ()


def write_271(answer: Answer, *, control_number: int, created_at: dt.datetime,
              sender: Party, receiver: Party) -> str:  # fmt: skip
    """A 271 for ``answer``, one segment a line (005010X279A1 loops as read above)."""
    who = [
        _seg("HL", "1", "", "20", "1"),
        _seg("NM1", "PR", "2", _text(answer.payer_name), "", "", "", "", "PI", answer.payer_id),
        _seg("HL", "2", "1", "21", "1"),
        _seg("NM1", "1P", "2", _text(answer.provider_name), "", "", "", "", "XX",
             answer.provider_npi),
        _seg("HL", "3", "2", "22", "1" if answer.dependent else "0"),
    ]  # fmt: skip
    subscriber = [
        _seg("NM1", "IL", "1", *answer.subscriber, "", "", "", "MI", answer.member_id),
        *([_seg("REF", "6P", answer.group_number)] if answer.group_number else []),
    ]
    patient = _answer_details(answer)
    trace = _seg("TRN", "2", answer.trace_number, "9PAYERDEMO")
    if answer.dependent:
        body = [*who, *subscriber, _seg("HL", "4", "3", "23", "0"), trace,
                _seg("NM1", "03", "1", *answer.dependent), *patient]  # fmt: skip
    else:
        body = [*who, trace, *subscriber, *patient]
    st = [
        _seg("ST", "271", "0001", VERSION),
        _seg("BHT", "0022", "11", answer.trace_number, created_at.strftime("%Y%m%d"),
             created_at.strftime("%H%M")),
        *body,
    ]  # fmt: skip
    st.append(_seg("SE", str(len(st) + 1), "0001"))
    number = f"{control_number:09d}"
    gs = _seg("GS", "HB", sender.identifier, receiver.identifier, created_at.strftime("%Y%m%d"),
              created_at.strftime("%H%M"), str(control_number), "X", VERSION)  # fmt: skip
    isa = _isa_segment(sender, receiver, created_at, number, False)
    tail = [_seg("GE", "1", str(control_number)), _seg("IEA", "1", number)]
    return "\n".join([isa, gs, *st, *tail]) + "\n"


def _answer_details(answer: Answer) -> list[str]:
    segments = [_seg("AAA", "N", "", reason, follow) for reason, follow in answer.rejections]
    if answer.plan_begin:
        span = answer.plan_begin.strftime("%Y%m%d")
        if answer.plan_end:
            span += "-" + answer.plan_end.strftime("%Y%m%d")
        segments.append(_seg("DTP", "291", "RD8" if answer.plan_end else "D8", span))
    for eb in answer.benefits:
        code, level, types, period, amount, percent, auth, network = (eb + ("",) * 8)[:8]
        plan = answer.plan_name if code in ACTIVE | INACTIVE else ""
        segments.append(
            _seg("EB", code, level, types, "", _text(plan), period, amount, percent, "", "",
                 auth, network)
        )  # fmt: skip
    return segments
