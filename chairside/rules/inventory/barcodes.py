"""What a scanned drug carton barcode says: the NDC, and from GS1 codes the lot and expiry.

Cartons carry either a linear UPC-A whose 12 digits are ``3`` + the 10-digit NDC + a check
digit, or (DSCSA product identifier, 21 U.S.C. 360eee(14)) a GS1 DataMatrix / GS1-128 code
whose element strings are AI (01) GTIN-14, (17) expiry YYMMDD, (10) lot and (21) serial
number. An NDC inside a GTIN-14 is indicator digit + ``03`` + NDC-10 + check digit (GS1 US,
"Guideline for the Use of GTIN in the US Pharmaceutical Supply Chain"; FDA, "Drug Supply
Chain Security Act — Standardization of Data and Documentation Practices"). The element
strings are parsed by ``biip`` (GS1 General Specifications: variable-length fields end at
an FNC1 / GS separator; a day of ``00`` is the month's last day).

A barcode gives the NDC as 10 bare digits, without the hyphens that say where the 11-digit
form is padded, so it is matched against the formulary by its three possible 11-digit forms
(``ndc11_candidates``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from biip.gs1_messages import GS1Message

GS = "\x1d"  # ASCII group separator: how scanners send FNC1 inside a GS1 code
# Scanner set-ups that cannot send GS often type a stand-in for it.
_GS_STAND_INS = ("<GS>", "{GS}", "[GS]", "^]", "␝")
_SYMBOLOGY = re.compile(r"^\][A-Za-z][0-9A-Za-z]")  # "]d2" (DataMatrix), "]C1" (GS1-128), …


@dataclass(frozen=True)
class Scan:
    """What one scan says. ``ndc10`` comes from a GTIN or UPC; ``ndc_text`` is an NDC typed
    or scanned in its printed form (hyphenated, or 11 digits), for
    ``rules.inventory.ndc.to_ndc11``."""

    kind: str  # "gs1", "gtin", "upc" or "ndc"
    ndc10: str | None = None
    ndc_text: str | None = None
    gtin: str | None = None
    lot: str | None = None
    expires_on: dt.date | None = None
    serial: str | None = None


def gs1_check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit of ``digits`` (weights 3, 1, 3, … from the right)."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"{digits!r} must be digits")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _check(code: str, what: str) -> None:
    if not code.isascii() or not code.isdigit():
        raise ValueError(f"the {what} {code!r} must be digits")
    if gs1_check_digit(code[:-1]) != code[-1]:
        raise ValueError(f"the {what} {code} has a wrong check digit (misread?)")


def ndc10_from_gtin(gtin: str) -> str:
    """The 10-digit NDC inside a GTIN-14 (indicator + ``03`` + NDC-10 + check digit).

    ValueError when the check digit is wrong or the GTIN is not an NDC-based one.
    """
    if len(gtin) != 14:
        raise ValueError(f"a GTIN-14 has 14 digits, not {len(gtin)}")
    _check(gtin, "GTIN")
    if gtin[1:3] != "03":
        raise ValueError(f"GTIN {gtin} does not carry an NDC (it does not start x03)")
    return gtin[3:13]


def ndc10_from_upc(upc: str) -> str:
    """The 10-digit NDC inside a UPC-A (``3`` + NDC-10 + check digit)."""
    if len(upc) != 12:
        raise ValueError(f"a UPC-A has 12 digits, not {len(upc)}")
    _check(upc, "UPC")
    if upc[0] != "3":
        raise ValueError(f"UPC {upc} is not a drug code (number system 3)")
    return upc[1:11]


def ndc11_candidates(ndc10: str) -> tuple[str, str, str]:
    """The 11-digit forms a bare 10-digit NDC can have: 4-4-2, 5-3-2 and 5-4-1 padded.

    Only the labeler's layout says which one is right; matching all three against the
    formulary (which holds 11-digit NDCs) finds the package.
    """
    if len(ndc10) != 10 or not ndc10.isascii() or not ndc10.isdigit():
        raise ValueError(f"an NDC from a barcode has 10 digits, not {ndc10!r}")
    return ("0" + ndc10, ndc10[:5] + "0" + ndc10[5:], ndc10[:9] + "0" + ndc10[9:])


def _clean(text: str) -> str:
    value = text.strip()
    for stand_in in _GS_STAND_INS:
        value = value.replace(stand_in, GS)
    return value


def _gs1_message(value: str) -> GS1Message | None:
    """The GS1 element strings, from the raw code (with or without a symbology identifier)
    or from the human-readable form with parentheses; None when it is not a GS1 code."""
    body = _SYMBOLOGY.sub("", value)
    try:
        if body.startswith("("):
            return GS1Message.parse_hri(body)
        if body.startswith(GS):
            body = body[1:]  # a leading FNC1 marks the code as GS1, it holds no data
        if not body.startswith(("01", "02")) or len(body) < 16:
            return None
        return GS1Message.parse(body)
    except Exception as exc:  # biip raises its own ParseError family
        raise ValueError(f"the GS1 barcode could not be read: {exc}") from None


def _from_gs1(message: GS1Message) -> Scan:
    fields = {e.ai.ai: e for e in message.element_strings}
    if "01" not in fields:
        raise ValueError("the GS1 barcode has no GTIN (AI 01)")
    gtin = fields["01"].value
    expiry = fields.get("17")
    if expiry is not None and expiry.date is None:
        raise ValueError(f"the expiry date {expiry.value} (AI 17) is not a date")
    return Scan(
        kind="gs1",
        ndc10=ndc10_from_gtin(gtin),
        gtin=gtin,
        lot=fields["10"].value if "10" in fields else None,
        expires_on=expiry.date if expiry is not None else None,
        serial=fields["21"].value if "21" in fields else None,
    )


def parse_scan(text: str) -> Scan:
    """Read a scan or a typed code: GS1 DataMatrix / GS1-128 element strings (with or without
    FNC1/GS separators, a symbology identifier or parentheses), a GTIN-14, a UPC-A, or an
    NDC as printed (4-4-2, 5-3-2, 5-4-1 with hyphens, or 11 digits).

    ValueError with a readable reason for anything else (a wrong check digit, a GTIN that
    carries no NDC, a bare 10-digit NDC, which is ambiguous).
    """
    value = _clean(text)
    if not value:
        raise ValueError("the scan is empty")
    message = _gs1_message(value)
    if message is not None:
        return _from_gs1(message)
    if "-" in value or (value.isascii() and value.isdigit() and len(value) not in (10, 12, 14)):
        return Scan(kind="ndc", ndc_text=value)  # as printed: rules.ndc.to_ndc11 reads it
    if value.isascii() and value.isdigit():
        if len(value) == 14:
            return Scan(kind="gtin", ndc10=ndc10_from_gtin(value), gtin=value)
        if len(value) == 12:
            return Scan(kind="upc", ndc10=ndc10_from_upc(value), gtin="00" + value)
        raise ValueError(
            f"NDC {value} has 10 digits without hyphens, which is ambiguous; "
            "scan the barcode or type it as printed (4-4-2, 5-3-2 or 5-4-1)"
        )
    raise ValueError(f"{text.strip()!r} is neither an NDC nor a drug barcode")
