"""ASC X12 835 Health Care Claim Payment/Advice (005010X221A1): read one, and write one.

:func:`parse_835` validates the file with pyx12 against the 835 implementation guide, reads
its segments with pyx12's reader, and checks that the money balances as the guide requires
(TR3 section 1.10.2, "Balancing"):

* each service line: submitted charge (SVC02) − paid (SVC03) = the line's adjustments (CAS);
* each claim: charge (CLP03) − paid (CLP04) = claim-level plus line-level adjustments;
* the payment: BPR02 = the claims' payments (CLP04) − provider-level adjustments (PLB).

Any failure raises :class:`RemittanceError` naming the segment, its line and the reason, so
nothing is posted from a file that does not add up. Adjustments keep their group code (CO
contractual obligation, PR patient responsibility, OA other, PI payer initiated, CR
correction) and CARC reason code; remark codes (RARC) come from LQ*HE.

:func:`write_835` writes a remittance for the demo center and for tests (a payer's side).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyx12.errors
import pyx12.segment
import pyx12.x12file

from chairside.rules.billing.x12.x12_837p import Adjustment, _seg
from chairside.rules.billing.x12.x12_validate import validate_x12

VERSION = "005010X221A1"
# CLP02 claim status codes (X12 code list 1029) Chairside distinguishes.
PROCESSED_STATUSES = frozenset({"1", "2", "3", "19", "20", "21"})
DENIED_STATUS = "4"
# "Processed as Primary, Forwarded to Additional Payer(s)": a Medicare crossover.
CROSSOVER_STATUS = "19"
# "Reversal of Previous Payment": the payer takes back a claim payment it posted before,
# with every amount negated; the corrected payment, if any, follows as its own CLP (TR3
# 005010X221A1 §1.10.2.8 "Reversals and Corrections").
REVERSAL_STATUS = "22"
# RARC MA18: "The claim information is also being forwarded to the patient's supplemental
# insurer. Send any questions regarding supplemental benefits to them." (X12 RARC list)
CROSSOVER_REMARK = "MA18"
ADJUSTMENT_GROUPS = frozenset({"CO", "PR", "OA", "PI", "CR"})


class RemittanceError(ValueError):
    """An 835 that cannot be posted: which segment, on which line, and why."""

    def __init__(self, segment: str, line: int | None, reason: str) -> None:
        self.segment = segment
        self.line = line
        self.reason = reason
        where = f"segment {segment}" + (f" (line {line})" if line else "")
        super().__init__(f"{where}: {reason}")


# One CAS adjustment (group, CARC reason, amount, quantity): the same type the 837P writes
# for another payer's adjudication.
RemitAdjustment = Adjustment


@dataclass(frozen=True)
class ServicePayment:
    """One SVC loop (2110): how the payer paid one submitted line."""

    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: int
    line_control: str = ""
    allowed: Decimal | None = None
    adjustments: tuple[RemitAdjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    # The line's UB-04 revenue code on an institutional claim: SVC04 beside a HCPCS code,
    # or SVC01 itself with qualifier NU when the payer paid the line by revenue code alone
    # (then ``code`` is empty). TR3 005010X221A1 loop 2110 SVC.
    revenue_code: str = ""


@dataclass(frozen=True)
class ClaimPayment:
    """One CLP loop (2100): the payer's decision on one claim."""

    control_number: str
    status: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    claim_filing: str = ""
    payer_claim_number: str = ""
    adjustments: tuple[RemitAdjustment, ...] = ()
    services: tuple[ServicePayment, ...] = ()
    line: int | None = None
    remarks: tuple[str, ...] = ()  # claim-level remark codes (MOA03-MOA07)
    # CLP08/CLP09 on an institutional claim: the facility type code of the type of bill
    # ("13" hospital outpatient) and its frequency digit. Empty for a professional claim.
    facility_type: str = ""
    frequency_code: str = ""

    @property
    def is_institutional(self) -> bool:
        return bool(self.facility_type)

    @property
    def all_adjustments(self) -> tuple[RemitAdjustment, ...]:
        return self.adjustments + tuple(a for s in self.services for a in s.adjustments)

    @property
    def is_reversal(self) -> bool:
        return self.status == REVERSAL_STATUS

    @property
    def is_crossover(self) -> bool:
        """Medicare forwarded the claim to the supplemental payer (CLP02 19, or MA18)."""
        remarks = set(self.remarks) | {r for s in self.services for r in s.remarks}
        return self.status == CROSSOVER_STATUS or CROSSOVER_REMARK in remarks


@dataclass(frozen=True)
class Remittance:
    """A whole 835: the payment (BPR/TRN), payer, payee and the claims it pays."""

    payer_name: str
    payer_id: str
    payee_name: str
    payee_npi: str
    payment_method: str
    total_paid: Decimal
    trace_number: str
    paid_on: dt.date
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: Decimal = Decimal(0)


# --- reading --------------------------------------------------------------------------


@dataclass
class _Reading:
    """The state of the segment walk: what has been read so far."""

    header: dict[str, str] = field(default_factory=dict)
    total_paid: Decimal | None = None
    paid_on: dt.date | None = None
    claims: list[ClaimPayment] = field(default_factory=list)
    claim: dict[str, object] | None = None
    service: dict[str, object] | None = None
    plb: Decimal = Decimal(0)
    entity: str = ""


def parse_835(text: str) -> Remittance:
    """Read an 835 remittance; raise RemittanceError for anything malformed or unbalanced."""
    problems = validate_x12(text)
    if problems:
        first = problems[0]
        raise RemittanceError(first.segment, first.line, first.message)
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
    except pyx12.errors.X12Error as exc:
        raise RemittanceError("ISA", 1, f"not an X12 file: {exc}") from None
    state = _Reading()
    with reader:
        for segment in reader:
            _read_segment(state, segment, reader.get_cur_line())
    _close_claim(state)
    return _remittance(state)


def _read_segment(state: _Reading, seg: pyx12.segment.Segment, line: int) -> None:
    seg_id = seg.get_seg_id() or ""
    if seg_id == "GS" and seg.get_value("GS01") != "HP":
        raise RemittanceError("GS", line, "this is not an 835 payment/advice (GS01 is not HP)")
    if seg_id == "BPR":
        state.total_paid = _money(seg, "BPR02", line)
        state.header["method"] = _value(seg, "BPR04")
        state.paid_on = _date(seg, "BPR16", line)
    elif seg_id == "TRN":
        state.header["trace"] = _value(seg, "TRN02")
        state.header["payer_id"] = _value(seg, "TRN03")
    elif seg_id == "N1":
        state.entity = _value(seg, "N101")
        if state.entity == "PR":
            state.header["payer_name"] = _value(seg, "N102")
        elif state.entity == "PE":
            state.header["payee_name"] = _value(seg, "N102")
            if _value(seg, "N103") == "XX":
                state.header["payee_npi"] = _value(seg, "N104")
    elif seg_id == "REF" and state.entity == "PR" and _value(seg, "REF01") == "2U":
        state.header["payer_id"] = _value(seg, "REF02")
    elif seg_id == "CLP":
        _close_claim(state)
        state.claim = _claim_start(seg, line)
    elif seg_id == "SVC":
        _close_service(state)
        state.service = _service_start(seg, line)
    else:
        _read_detail(state, seg, seg_id, line)


def _read_detail(state: _Reading, seg: pyx12.segment.Segment, seg_id: str, line: int) -> None:
    target = state.service if state.service is not None else state.claim
    if seg_id == "CAS" and target is not None:
        adjustments = target.setdefault("adjustments", [])
        assert isinstance(adjustments, list)
        adjustments.extend(_cas(seg, line))
    elif seg_id == "REF" and state.service is not None and _value(seg, "REF01") == "6R":
        state.service["line_control"] = _value(seg, "REF02")
    elif seg_id == "AMT" and state.service is not None and _value(seg, "AMT01") == "B6":
        state.service["allowed"] = _money(seg, "AMT02", line)
    elif seg_id == "LQ" and state.service is not None and _value(seg, "LQ01") == "HE":
        remarks = state.service.setdefault("remarks", [])
        assert isinstance(remarks, list)
        remarks.append(_value(seg, "LQ02"))
    elif seg_id == "MOA" and state.claim is not None and state.service is None:
        remarks = state.claim.setdefault("remarks", [])
        assert isinstance(remarks, list)
        remarks.extend(
            _value(seg, f"MOA{n:02d}") for n in range(3, 8) if _value(seg, f"MOA{n:02d}")
        )
    elif seg_id == "PLB":
        _close_claim(state)
        for position in range(3, 14, 2):
            if _value(seg, f"PLB{position + 1:02d}"):
                state.plb += _money(seg, f"PLB{position + 1:02d}", line)


def _claim_start(seg: pyx12.segment.Segment, line: int) -> dict[str, object]:
    return {
        "control_number": _value(seg, "CLP01"),
        "status": _value(seg, "CLP02"),
        "charge": _money(seg, "CLP03", line),
        "paid": _money(seg, "CLP04", line),
        "patient_responsibility": _money(seg, "CLP05", line)
        if _value(seg, "CLP05")
        else Decimal(0),
        "claim_filing": _value(seg, "CLP06"),
        "payer_claim_number": _value(seg, "CLP07"),
        "facility_type": _value(seg, "CLP08"),
        "frequency_code": _value(seg, "CLP09"),
        "line": line,
        "adjustments": [],
        "services": [],
    }


def _service_start(seg: pyx12.segment.Segment, line: int) -> dict[str, object]:
    composite = _value(seg, "SVC01").split(":")
    units_text = _value(seg, "SVC05") or "1"
    try:
        units = int(Decimal(units_text))
    except InvalidOperation:
        raise RemittanceError("SVC", line, f"units {units_text!r} are not a number") from None
    by_revenue = composite[0] == "NU"
    return {
        "code": "" if by_revenue else (composite[1] if len(composite) > 1 else ""),
        "revenue_code": (composite[1] if len(composite) > 1 else "")
        if by_revenue
        else _value(seg, "SVC04"),
        "modifiers": tuple(m for m in composite[2:6] if m),
        "charge": _money(seg, "SVC02", line),
        "paid": _money(seg, "SVC03", line),
        "units": units,
        "adjustments": [],
        "remarks": [],
        "_line": line,
    }


def _close_service(state: _Reading) -> None:
    if state.service is None:
        return
    data = state.service
    state.service = None
    line = int(str(data.pop("_line")))
    service = ServicePayment(
        code=str(data["code"]),
        modifiers=tuple(str(m) for m in data["modifiers"]),  # type: ignore[attr-defined]
        charge=_dec(data["charge"]),
        paid=_dec(data["paid"]),
        units=int(str(data["units"])),
        line_control=str(data.get("line_control", "")),
        allowed=_dec(data["allowed"]) if data.get("allowed") is not None else None,
        adjustments=tuple(data["adjustments"]),  # type: ignore[arg-type]
        remarks=tuple(str(r) for r in data["remarks"]),  # type: ignore[attr-defined]
        revenue_code=str(data.get("revenue_code", "")),
    )
    balance = service.charge - service.paid - _sum(service.adjustments)
    if balance != 0:
        raise RemittanceError(
            "SVC",
            line,
            f"service line {service.code} does not balance: charge {service.charge} − paid "
            f"{service.paid} − adjustments {_sum(service.adjustments)} leaves {balance}",
        )
    if state.claim is None:
        raise RemittanceError("SVC", line, "a service payment outside any claim (CLP)")
    services = state.claim["services"]
    assert isinstance(services, list)
    services.append(service)


def _close_claim(state: _Reading) -> None:
    _close_service(state)
    if state.claim is None:
        return
    data = state.claim
    state.claim = None
    claim = ClaimPayment(
        control_number=str(data["control_number"]),
        status=str(data["status"]),
        charge=_dec(data["charge"]),
        paid=_dec(data["paid"]),
        patient_responsibility=_dec(data["patient_responsibility"]),
        claim_filing=str(data["claim_filing"]),
        payer_claim_number=str(data["payer_claim_number"]),
        adjustments=tuple(data["adjustments"]),  # type: ignore[arg-type]
        services=tuple(data["services"]),  # type: ignore[arg-type]
        line=int(str(data["line"])),
        remarks=tuple(str(r) for r in data.get("remarks", [])),  # type: ignore[attr-defined]
        facility_type=str(data.get("facility_type", "")),
        frequency_code=str(data.get("frequency_code", "")),
    )
    balance = claim.charge - claim.paid - _sum(claim.all_adjustments)
    if balance != 0:
        raise RemittanceError(
            "CLP",
            claim.line,
            f"claim {claim.control_number} does not balance: charge {claim.charge} − paid "
            f"{claim.paid} − adjustments {_sum(claim.all_adjustments)} leaves {balance}",
        )
    state.claims.append(claim)


def _remittance(state: _Reading) -> Remittance:
    if state.total_paid is None or state.paid_on is None:
        raise RemittanceError("BPR", None, "the payment (BPR) with its amount and date is missing")
    if not state.claims:
        raise RemittanceError("CLP", None, "the remittance pays no claims")
    claims_paid = sum((c.paid for c in state.claims), Decimal(0))
    if claims_paid - state.plb != state.total_paid:
        raise RemittanceError(
            "BPR",
            None,
            f"the payment {state.total_paid} is not the claims' payments {claims_paid} less the "
            f"provider adjustments {state.plb}",
        )
    return Remittance(
        payer_name=state.header.get("payer_name", ""),
        payer_id=state.header.get("payer_id", ""),
        payee_name=state.header.get("payee_name", ""),
        payee_npi=state.header.get("payee_npi", ""),
        payment_method=state.header.get("method", ""),
        total_paid=state.total_paid,
        trace_number=state.header.get("trace", ""),
        paid_on=state.paid_on,
        claims=tuple(state.claims),
        provider_adjustments=state.plb,
    )


def _cas(seg: pyx12.segment.Segment, line: int) -> list[RemitAdjustment]:
    group = _value(seg, "CAS01")
    if group not in ADJUSTMENT_GROUPS:
        raise RemittanceError("CAS", line, f"unknown adjustment group {group!r}")
    found: list[RemitAdjustment] = []
    for start in range(2, 19, 3):
        reason = _value(seg, f"CAS{start:02d}")
        if not reason:
            continue
        quantity = _value(seg, f"CAS{start + 2:02d}")
        found.append(
            RemitAdjustment(
                group=group,
                reason=reason,
                amount=_money(seg, f"CAS{start + 1:02d}", line),
                quantity=Decimal(quantity) if quantity else None,
            )
        )
    return found


def _value(seg: pyx12.segment.Segment, ref: str) -> str:
    try:
        return (seg.get_value(ref) or "").strip()
    except (IndexError, pyx12.errors.EngineError):
        return ""


def _money(seg: pyx12.segment.Segment, ref: str, line: int) -> Decimal:
    text = _value(seg, ref)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RemittanceError(ref[:-2], line, f"{ref} {text!r} is not an amount") from None
    if not amount.is_finite():
        raise RemittanceError(ref[:-2], line, f"{ref} {text!r} is not an amount")
    return amount


def _date(seg: pyx12.segment.Segment, ref: str, line: int) -> dt.date:
    text = _value(seg, ref)
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise RemittanceError(ref[:-2], line, f"{ref} {text!r} is not a date") from None


def _dec(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _sum(adjustments: Iterable[RemitAdjustment]) -> Decimal:
    return sum((a.amount for a in adjustments), Decimal(0))


# --- writing (the payer's side: demo data and tests) ------------------------------------


def write_835(
    remittance: Remittance,
    *,
    control_number: int,
    created_at: dt.datetime,
    sender_id: str,
    receiver_id: str,
    patient_names: dict[str, tuple[str, str, str]] | None = None,
) -> str:
    """Write an 835 for ``remittance``. ``patient_names`` maps a claim's control number to
    the patient's (last, first, member ID) for the required NM1*QC segment."""
    names = patient_names or {}
    body = [
        _seg(
            "BPR",
            "I" if remittance.total_paid > 0 else "H",
            _amt(remittance.total_paid),
            "C",
            remittance.payment_method or ("CHK" if remittance.total_paid > 0 else "NON"),
            *([""] * 11),
            remittance.paid_on.strftime("%Y%m%d"),
        ),
        _seg("TRN", "1", remittance.trace_number, "1" + remittance.payer_id.rjust(9, "0")[:9]),
        _seg("N1", "PR", remittance.payer_name.upper()),
        _seg("N3", "PO BOX 1"),
        _seg("N4", "RIVERSIDE", "PA", "19000"),
        _seg("PER", "BL", "PROVIDER SERVICES", "TE", "5550100000"),
        _seg("N1", "PE", remittance.payee_name.upper(), "XX", remittance.payee_npi),
    ]
    for position, claim in enumerate(remittance.claims, start=1):
        body.append(_seg("LX", str(position)))
        body += _claim_segments(claim, names.get(claim.control_number, ("PATIENT", "", "")))
    st = [_seg("ST", "835", "0001"), *body]
    st.append(_seg("SE", str(len(st) + 1), "0001"))
    number = f"{control_number:09d}"
    isa = (
        "*".join(
            [
                "ISA",
                "00",
                " " * 10,
                "00",
                " " * 10,
                "ZZ",
                sender_id[:15].ljust(15),
                "ZZ",
                receiver_id[:15].ljust(15),
                created_at.strftime("%y%m%d"),
                created_at.strftime("%H%M"),
                "^",
                "00501",
                number,
                "0",
                "P",
                ":",
            ]
        )
        + "~"
    )
    gs = _seg(
        "GS",
        "HP",
        sender_id,
        receiver_id,
        created_at.strftime("%Y%m%d"),
        created_at.strftime("%H%M"),
        str(control_number),
        "X",
        VERSION,
    )
    segments = [isa, gs, *st, _seg("GE", "1", str(control_number)), _seg("IEA", "1", number)]
    return "\n".join(segments) + "\n"


def _claim_segments(claim: ClaimPayment, name: tuple[str, str, str]) -> list[str]:
    last, first, member = name
    segments = [
        _seg(
            "CLP",
            claim.control_number,
            claim.status,
            _amt(claim.charge),
            _amt(claim.paid),
            _amt(claim.patient_responsibility) if claim.patient_responsibility else "",
            claim.claim_filing or "MB",
            claim.payer_claim_number,
            claim.facility_type,
            claim.frequency_code if claim.facility_type else "",
        ),
        *_cas_segments(claim.adjustments),
        _seg(
            "NM1",
            "QC",
            "1",
            last.upper(),
            first.upper(),
            "",
            "",
            "",
            *(("MI", member) if member else ()),
        ),
    ]
    if claim.remarks:
        segments.append(_seg("MOA", "", "", *claim.remarks[:5]))
    for service in claim.services:
        svc01 = (
            ":".join(["HC", service.code, *service.modifiers])
            if service.code
            else f"NU:{service.revenue_code}"
        )
        segments.append(
            _seg(
                "SVC",
                svc01,
                _amt(service.charge),
                _amt(service.paid),
                service.revenue_code if service.code else "",
                str(service.units),
            )
        )
        segments += _cas_segments(service.adjustments)
        if service.line_control:
            segments.append(_seg("REF", "6R", service.line_control))
        if service.allowed is not None:
            segments.append(_seg("AMT", "B6", _amt(service.allowed)))
        segments += [_seg("LQ", "HE", remark) for remark in service.remarks]
    return segments


def _cas_segments(adjustments: Iterable[RemitAdjustment]) -> list[str]:
    by_group: dict[str, list[RemitAdjustment]] = {}
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group, []).append(adjustment)
    segments: list[str] = []
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            elements = [group]
            for item in items[start : start + 6]:
                elements += [
                    item.reason,
                    _amt(item.amount),
                    "" if item.quantity is None else _amt(item.quantity),
                ]
            segments.append(_seg("CAS", *elements))
    return segments


def _amt(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
