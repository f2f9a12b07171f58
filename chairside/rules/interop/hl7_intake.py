"""Read an inbound HL7 v2 message into plain data: a patient, coverages, a referral/order.

Parsed with the ``hl7`` library (python-hl7); field positions are those of HL7 v2.5.1:

- MSH (2.15.9): MSH-3/4 sending application/facility, MSH-9 message type^trigger,
  MSH-10 control id, MSH-12 version.
- PID (3.4.2): PID-3 identifiers (CX; the one typed ``MR`` is the MRN, else the first),
  PID-5 name (XPN family^given^middle), PID-7 birth date (DTM, YYYYMMDD…), PID-8
  administrative sex (HL7 table 0001: F, M, O, U, A, N), PID-11 address (XAD
  street^other^city^state^zip), PID-13 home phone (XTN; components 6 area code and 7
  local number, else the formatted component 1).
- IN1 (6.5.6): IN1-1 set id (order of benefits), IN1-3 insurance company id, IN1-4 company
  name, IN1-8 group number, IN1-9 group (plan) name, IN1-12/13 plan effective/expiration
  date, IN1-16 name of insured, IN1-17 insured's relationship to patient (table 0063: SEL,
  SPO, CHD …), IN1-36 policy number (the member id; IN1-49 insured's id number if empty).
- ORC (4.5.1): ORC-2 placer order number, ORC-9 date/time of transaction, ORC-12 ordering
  provider (XCN id^family^given…; the id is the NPI). PRD (11.6.3; REF^I12): PRD-1 role,
  PRD-2 name, PRD-7 provider identifiers (id^type; type NPI).
- RXO-1 requested give code (CWE id^text) / OBR-4 universal service id / PR1-3 procedure:
  the drug asked for. DG1-3 diagnosis code (CWE code^text^coding system, I10 = ICD-10).
- RF1 (11.6.1; REF^I12): RF1-2 priority (S = stat), RF1-6 originating referral identifier.

Problems with the data raise :class:`Hl7Error` (answered AE: application error); a message
Chairside does not take raises :class:`Hl7Reject` (AR: application reject). Each names the
field (``PID-7``) and the HL7 error code of table 0357 (v2.5.1 section 2.15.5.3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import hl7

# HL7 table 0357, message error condition codes (v2.5.1).
REQUIRED_FIELD_MISSING = "101"
DATA_TYPE_ERROR = "102"
TABLE_VALUE_NOT_FOUND = "103"
UNSUPPORTED_MESSAGE_TYPE = "200"
UNSUPPORTED_EVENT_CODE = "201"
UNKNOWN_KEY_IDENTIFIER = "204"
APPLICATION_INTERNAL_ERROR = "207"

PATIENT_EVENTS = frozenset({"ADT^A04", "ADT^A08"})
ORDER_EVENTS = frozenset({"ORM^O01", "REF^I12"})
SUPPORTED = PATIENT_EVENTS | ORDER_EVENTS

# Table 0001 administrative sex → Chairside's F / M / U (O, A, N have no own value there).
_SEX = {"F": "F", "M": "M", "U": "U", "O": "U", "A": "U", "N": "U"}
# Table 0063 relationship → Coverage.Relation.
_RELATION = {"SEL": "self", "SPO": "spouse", "CHD": "child", "": "self"}


class Hl7Problem(ValueError):  # noqa: N818 (a refusal, named for what the ACK says)
    """A message Chairside cannot take as it is; ``location`` is e.g. ``PID-7``."""

    ack_code = "AE"

    def __init__(self, message: str, *, location: str = "", code: str = DATA_TYPE_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.code = code


class Hl7Error(Hl7Problem):
    """The data is wrong or unknown (AE): fixing it at the sender or here, then resending
    or reprocessing, lets it through."""

    ack_code = "AE"


class Hl7Reject(Hl7Problem):
    """The message itself is not one Chairside takes (AR): unreadable or unsupported."""

    ack_code = "AR"


@dataclass(frozen=True)
class Header:
    control_id: str
    message_type: str  # "ADT^A04"
    sending_application: str
    sending_facility: str
    receiving_application: str
    receiving_facility: str
    version: str
    processing_id: str


@dataclass(frozen=True)
class PatientData:
    mrn: str
    first_name: str
    middle_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    phone: str = ""


@dataclass(frozen=True)
class CoverageData:
    set_id: int
    payer_id: str
    payer_name: str
    member_id: str
    group_number: str = ""
    plan_name: str = ""
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    subscriber_relation: str = "self"
    subscriber_name: str = ""


@dataclass(frozen=True)
class ProviderData:
    npi: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class OrderData:
    provider: ProviderData
    drug_code: str
    drug_text: str
    diagnosis_codes: tuple[str, ...]
    placer_number: str = ""
    ordered_on: dt.date | None = None
    urgent: bool = False
    notes: str = ""


@dataclass(frozen=True)
class InboundMessage:
    header: Header
    patient: PatientData | None
    coverages: tuple[CoverageData, ...] = field(default=())
    order: OrderData | None = None


def normalize(text: str) -> str:
    """Segments end with CR (2.5.4); senders and files often use LF or CRLF: accept all."""
    lines = text.replace("\r\n", "\r").replace("\n", "\r").split("\r")
    return "\r".join(line for line in (ln.strip() for ln in lines) if line)


def parse(text: str) -> hl7.Message:
    """The parsed message; unreadable text raises :class:`Hl7Reject`."""
    cleaned = normalize(text)
    if not cleaned.startswith("MSH"):
        raise Hl7Reject(
            "The message does not start with an MSH segment.",
            location="MSH",
            code=REQUIRED_FIELD_MISSING,
        )
    try:
        return hl7.parse(cleaned)
    except Exception as exc:  # the library raises several kinds on garbage
        raise Hl7Reject(f"The message cannot be read: {exc}.", location="MSH") from None


def value(msg: hl7.Message, seg: str, fld: int, rep: int = 1, comp: int = 1) -> str:
    """One component as plain text (escapes undone), or "" when the message lacks it."""
    try:
        raw = msg.extract_field(seg, 1, fld, rep, comp)
    except (KeyError, IndexError, ValueError):
        return ""
    return str(msg.unescape(str(raw))).strip() if raw else ""


def _segments(msg: hl7.Message, name: str) -> list[Any]:
    try:
        return list(msg.segments(name))
    except KeyError:
        return []


def header(msg: hl7.Message) -> Header:
    kind, trigger = value(msg, "MSH", 9, 1, 1).upper(), value(msg, "MSH", 9, 1, 2).upper()
    return Header(
        control_id=value(msg, "MSH", 10),
        message_type=f"{kind}^{trigger}" if trigger else kind,
        sending_application=value(msg, "MSH", 3),
        sending_facility=value(msg, "MSH", 4),
        receiving_application=value(msg, "MSH", 5),
        receiving_facility=value(msg, "MSH", 6),
        version=value(msg, "MSH", 12),
        processing_id=value(msg, "MSH", 11) or "P",
    )


def hl7_date(text: str, location: str, what: str) -> dt.date:
    """The date part of an HL7 DT/DTM (YYYYMMDD, time and offset ignored)."""
    digits = text.strip()[:8]
    try:
        if len(digits) != 8 or not digits.isdigit():
            raise ValueError
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise Hl7Error(
            f"{location} {what} '{text}' is not a date (expected YYYYMMDD).",
            location=location,
        ) from None


def _optional_date(text: str, location: str, what: str) -> dt.date | None:
    return hl7_date(text, location, what) if text else None


def _require(text: str, location: str, what: str) -> str:
    if not text:
        raise Hl7Error(f"{location} ({what}) is empty.", location=location, code="101")
    return text


def read_patient(msg: hl7.Message) -> PatientData:
    if not _segments(msg, "PID"):
        raise Hl7Error("The message has no PID segment.", location="PID", code="101")
    mrn = ""
    for rep in range(1, 10):
        ident = value(msg, "PID", 3, rep, 1)
        if not ident:
            break
        if not mrn or value(msg, "PID", 3, rep, 5).upper() == "MR":
            mrn = ident
            if value(msg, "PID", 3, rep, 5).upper() == "MR":
                break
    sex_code = value(msg, "PID", 8).upper()
    if sex_code and sex_code not in _SEX:
        raise Hl7Error(
            f"PID-8 sex '{sex_code}' is not in HL7 table 0001 (F, M, O, U, A, N).",
            location="PID-8",
            code=TABLE_VALUE_NOT_FOUND,
        )
    phone = value(msg, "PID", 13, 1, 1)
    area, local = value(msg, "PID", 13, 1, 6), value(msg, "PID", 13, 1, 7)
    if area and local:
        phone = f"({area}) {local[:3]}-{local[3:]}" if len(local) == 7 else f"{area} {local}"
    return PatientData(
        mrn=_require(mrn, "PID-3", "patient identifier"),
        last_name=_require(value(msg, "PID", 5, 1, 1), "PID-5", "family name"),
        first_name=_require(value(msg, "PID", 5, 1, 2), "PID-5.2", "given name"),
        middle_name=value(msg, "PID", 5, 1, 3),
        date_of_birth=hl7_date(
            _require(value(msg, "PID", 7), "PID-7", "date of birth"), "PID-7", "date of birth"
        ),
        sex=_SEX.get(sex_code, "U"),
        address_line1=value(msg, "PID", 11, 1, 1),
        address_line2=value(msg, "PID", 11, 1, 2),
        city=value(msg, "PID", 11, 1, 3),
        state=value(msg, "PID", 11, 1, 4).upper()[:2],
        postal_code=value(msg, "PID", 11, 1, 5)[:10],
        phone=phone[:30],
    )


def _sub(seg: Any, fld: int, comp: int = 1, rep: int = 1) -> str:
    """A component of one instance of a repeating segment, escapes undone."""
    try:
        field_value = seg[fld]
    except IndexError:
        return ""
    text = str(field_value)
    reps = text.split("~")
    if rep > len(reps):
        return ""
    comps = reps[rep - 1].split("^")
    if comp > len(comps):
        return ""
    return _unescape(comps[comp - 1]).strip()


def _unescape(text: str) -> str:
    for escaped, raw in (("\\F\\", "|"), ("\\S\\", "^"), ("\\R\\", "~"), ("\\T\\", "&")):
        text = text.replace(escaped, raw)
    return text.replace("\\E\\", "\\")


def read_coverages(msg: hl7.Message) -> tuple[CoverageData, ...]:
    found = []
    for index, seg in enumerate(_segments(msg, "IN1"), start=1):
        where = f"IN1 #{index}"
        set_text = _sub(seg, 1) or str(index)
        if not set_text.isdigit() or not 1 <= int(set_text) <= 3:
            raise Hl7Error(
                f"{where}: IN1-1 '{set_text}' must be 1, 2 or 3 (order of benefits).",
                location="IN1-1",
            )
        relation_code = _sub(seg, 17).upper()
        member_id = _sub(seg, 36) or _sub(seg, 49)
        found.append(
            CoverageData(
                set_id=int(set_text),
                payer_id=_sub(seg, 3),
                payer_name=_sub(seg, 4),
                member_id=_require(member_id, "IN1-36", "policy number / member id"),
                group_number=_sub(seg, 8),
                plan_name=_sub(seg, 9),
                effective_from=_optional_date(_sub(seg, 12), "IN1-12", "plan effective date"),
                effective_to=_optional_date(_sub(seg, 13), "IN1-13", "plan expiration date"),
                subscriber_relation=_RELATION.get(relation_code, "other"),
                subscriber_name=" ".join(p for p in (_sub(seg, 16, 2), _sub(seg, 16, 1)) if p),
            )
        )
        if not (found[-1].payer_id or found[-1].payer_name):
            raise Hl7Error(
                f"{where}: neither IN1-3 (insurance company id) nor IN1-4 (name) is given.",
                location="IN1-3",
                code=REQUIRED_FIELD_MISSING,
            )
    return tuple(found)


def _provider(msg: hl7.Message) -> ProviderData:
    """The ordering provider from ORC-12, else the referring provider's PRD segment."""
    npi = value(msg, "ORC", 12, 1, 1)
    if npi:
        return ProviderData(
            npi=npi, last_name=value(msg, "ORC", 12, 1, 2), first_name=value(msg, "ORC", 12, 1, 3)
        )
    for seg in _segments(msg, "PRD"):
        role = _sub(seg, 1).upper()
        if role and role not in {"RP", "PP", "CP"}:  # referring, primary care, consulting
            continue
        for rep in range(1, 5):
            ident, kind = _sub(seg, 7, 1, rep), _sub(seg, 7, 2, rep).upper()
            if ident and kind in {"NPI", ""}:
                return ProviderData(
                    npi=ident, last_name=_sub(seg, 2, 1), first_name=_sub(seg, 2, 2)
                )
    raise Hl7Error(
        "No ordering provider NPI: give it in ORC-12 or PRD-7 (type NPI).",
        location="ORC-12",
        code=REQUIRED_FIELD_MISSING,
    )


def _drug(msg: hl7.Message) -> tuple[str, str]:
    for seg, fld in (("RXO", 1), ("OBR", 4), ("PR1", 3)):
        code, text = value(msg, seg, fld, 1, 1), value(msg, seg, fld, 1, 2)
        if code or text:
            return code, text or code
    raise Hl7Error(
        "The drug asked for is missing: give it in RXO-1 (or OBR-4).",
        location="RXO-1",
        code=REQUIRED_FIELD_MISSING,
    )


def _diagnoses(msg: hl7.Message) -> tuple[str, ...]:
    codes = []
    for index, seg in enumerate(_segments(msg, "DG1"), start=1):
        code, system = _sub(seg, 3, 1), _sub(seg, 3, 3).upper()
        if not code:
            continue
        if system and system not in {"I10", "I10C", "ICD10CM", "ICD-10-CM"}:
            raise Hl7Error(
                f"DG1 #{index}: diagnosis {code} is coded in {system}; send ICD-10-CM (I10).",
                location="DG1-3",
                code=TABLE_VALUE_NOT_FOUND,
            )
        codes.append(code)
    return tuple(codes)


def read_order(msg: hl7.Message) -> OrderData:
    code, text = _drug(msg)
    ordered = value(msg, "ORC", 9) or value(msg, "RF1", 7)
    notes = [f"Placer order {value(msg, 'ORC', 2)}"] if value(msg, "ORC", 2) else []
    dose, units = value(msg, "RXO", 2), value(msg, "RXO", 4)
    if dose:
        notes.append(f"Requested dose {dose} {units}".strip())
    notes.extend(_sub(seg, 3) for seg in _segments(msg, "NTE") if _sub(seg, 3))
    return OrderData(
        provider=_provider(msg),
        drug_code=code,
        drug_text=text,
        diagnosis_codes=_diagnoses(msg),
        placer_number=value(msg, "ORC", 2) or value(msg, "RF1", 6),
        ordered_on=_optional_date(ordered, "ORC-9", "order date"),
        urgent=value(msg, "RF1", 2).upper() == "S" or value(msg, "ORC", 7, 1, 6).upper() == "S",
        notes="\n".join(notes),
    )


def read(text: str) -> InboundMessage:
    """The whole message as plain data, or :class:`Hl7Reject` / :class:`Hl7Error`."""
    msg = parse(text)
    head = header(msg)
    if not head.control_id:
        raise Hl7Reject("MSH-10 (message control id) is empty.", location="MSH-10", code="101")
    if head.message_type not in SUPPORTED:
        kind = head.message_type.split("^")[0]
        known_kind = kind in {t.split("^")[0] for t in SUPPORTED}
        raise Hl7Reject(
            f"Chairside does not take {head.message_type or 'this message type'} messages "
            f"(it takes {', '.join(sorted(SUPPORTED))}).",
            location="MSH-9",
            code=UNSUPPORTED_EVENT_CODE if known_kind else UNSUPPORTED_MESSAGE_TYPE,
        )
    patient = read_patient(msg)
    coverages = read_coverages(msg)
    order = read_order(msg) if head.message_type in ORDER_EVENTS else None
    return InboundMessage(header=head, patient=patient, coverages=coverages, order=order)
