"""The acknowledgment (ACK) Chairside answers every inbound HL7 v2 message with.

Source: HL7 Version 2.5.1, chapter 2: the original acknowledgment mode (2.9.2) answers with
MSA-1 ``AA`` (accepted), ``AE`` (application error: the data is wrong; fix and resend) or
``AR`` (application reject: the message is not one the receiver takes), MSA-2 the control id
of the message acknowledged (MSH-10). The ERR segment (2.15.5) says why: ERR-2 the error
location (ERL segment^sequence^field), ERR-3 the HL7 error code (table 0357, as CWE
code^text^HL70357), ERR-4 severity (table 0516: E error, W warning, I information) and
ERR-8 the message for a person. An AA may carry warnings (severity W).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from chairside.rules.interop.hl7_text import component, escape, message, msh, segment

# HL7 table 0357 texts for the codes Chairside sends.
ERROR_TEXT = {
    "0": "Message accepted",
    "101": "Required field missing",
    "102": "Data type error",
    "103": "Table value not found",
    "200": "Unsupported message type",
    "201": "Unsupported event code",
    "204": "Unknown key identifier",
    "205": "Duplicate key identifier",
    "207": "Application internal error",
}


@dataclass(frozen=True)
class AckError:
    text: str
    location: str = ""  # "PID-7", "IN1-3", "MSH-9"
    code: str = "207"
    severity: str = "E"


_LOCATION = re.compile(r"^([A-Z][A-Z0-9]{2})(?:-(\d+))?")


def error_location(location: str) -> str:
    """``PID-7`` → ``PID^1^7`` (ERL: segment id, segment sequence, field position)."""
    match = _LOCATION.match(location)
    if not match:
        return ""
    name, position = match.groups()
    return "^".join(p for p in (name, "1", position or "") if p)


def err_segment(error: AckError) -> str:
    code_text = ERROR_TEXT.get(error.code, "")
    return segment(
        "ERR",
        [
            "",
            error_location(error.location),
            component(error.code, code_text, "HL70357"),
            escape(error.severity),
            "",
            "",
            "",
            escape(error.text[:250]),
        ],
    )


def build_ack(
    *,
    ack_code: str,
    control_id: str,
    sending_application: str,
    sending_facility: str,
    receiving_application: str,
    receiving_facility: str,
    at: dt.datetime,
    ack_control_id: str,
    errors: tuple[AckError, ...] = (),
    text: str = "",
    trigger: str = "",
    version: str = "2.5.1",
) -> str:
    """The ACK for the message ``control_id``: sender and receiver are swapped (MSH-3..6
    of the answer are Chairside; MSH-5/6 are the system that sent the message)."""
    if ack_code not in {"AA", "AE", "AR"}:
        raise ValueError(f"{ack_code} is not an original-mode acknowledgment code.")
    if ack_code != "AA" and not errors:
        raise ValueError("An AE or AR acknowledgment must say why in an ERR segment.")
    kind = f"ACK^{trigger}^ACK" if trigger else "ACK"
    segments = [
        msh(
            sending_application=receiving_application or "CHAIRSIDE",
            sending_facility=receiving_facility,
            receiving_application=sending_application,
            receiving_facility=sending_facility,
            at=at,
            message_type=kind,
            control_id=ack_control_id,
            version=version or "2.5.1",
        ),
        segment("MSA", [escape(ack_code), escape(control_id), escape(text[:80])]),
        *(err_segment(e) for e in errors),
    ]
    return message(segments)
