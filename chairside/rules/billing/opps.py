"""OPPS payment estimate for a hospital outpatient department's institutional claim.

CMS publishes the hospital outpatient prospective payment system's rates each quarter as
**Addendum B** (a CSV per quarter: HCPCS code, short descriptor, status indicator "SI",
APC, relative weight, payment rate, national unadjusted copayment, …; a few title lines
come first). :func:`parse_addendum_b` reads the columns it needs by their header names.

How a line is paid (CMS Pub. 100-04 ch. 4 §10.1-§10.4 and ch. 17 §90; the OPPS status
indicators of Addendum D1):

* **K** — a separately payable non-pass-through drug or biological, and **G** — a
  pass-through drug: paid per unit at ASP + 6 %, which is the payment limit the quarterly
  CMS ASP pricing file publishes (the file's "Payment Limit" already is 106 % of ASP,
  SSA §1847A(b)), so the estimate uses the ASP file's limit, else Addendum B's rate;
* **N** — packaged: no separate payment; paid within the APC of the service it goes with
  ($0 on its own line, shown as packaged). Drugs under the OPPS packaging threshold are N;
* **Q1** — conditionally packaged (STV-packaged): packaged when the claim has a line with
  status S, T or V, else paid at its APC rate;
* **S, T, V** and the other paid indicators with a rate — the APC payment rate × units
  (drug administration codes are APC-paid services, ch. 4 §230.2);
* a code not in the imported file is named, never guessed.

A **non-excepted off-campus department** (modifier PN) is paid under the physician fee
schedule's site-neutral rate: the OPPS rate times the PFS relativity adjuster, 40 % since
CY 2018 (CY 2018 physician fee schedule final rule), except drugs, which stay at ASP + 6 %.

The estimate is the Medicare allowed amount before the wage index, deductible and
coinsurance; it is an estimate, not the MAC's pricer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from chairside.rules.billing.charges import ClaimLine

CENT = Decimal("0.01")
DRUG_PAID_AT_ASP = frozenset({"K", "G"})
PACKAGED = "N"
CONDITIONALLY_PACKAGED = "Q1"
STV = frozenset({"S", "T", "V"})
PFS_RELATIVITY_ADJUSTER = Decimal("0.40")
NON_EXCEPTED = "PN"


@dataclass(frozen=True)
class OppsRate:
    """One Addendum B row: HCPCS, status indicator, APC (may be empty) and payment rate
    (``None`` when the row has none, e.g. a packaged code)."""

    hcpcs: str
    status_indicator: str
    apc: str
    payment_rate: Decimal | None
    description: str = ""


@dataclass(frozen=True)
class LineEstimate:
    """How one claim line is paid: ``basis`` in words, ``amount`` (None: cannot be estimated)."""

    line: ClaimLine
    status_indicator: str
    apc: str
    basis: str
    amount: Decimal | None

    @property
    def packaged(self) -> bool:
        return self.amount == 0 and self.basis.startswith("Packaged")


def _header(row: Sequence[str]) -> dict[str, int] | None:
    names = {cell.strip().lower().replace("\n", " "): i for i, cell in enumerate(row)}
    hcpcs = next((i for n, i in names.items() if n.startswith("hcpcs")), None)
    si = next((i for n, i in names.items() if n in {"si", "status indicator"}), None)
    apc = names.get("apc")
    rate = next((i for n, i in names.items() if n.startswith("payment rate")), None)
    if hcpcs is None or si is None or apc is None or rate is None:
        return None
    found = {"hcpcs": hcpcs, "si": si, "apc": apc, "rate": rate}
    descriptor = next((i for n, i in names.items() if "descriptor" in n), None)
    if descriptor is not None:
        found["description"] = descriptor
    return found


def _money(text: str, row_number: int) -> Decimal | None:
    cleaned = text.strip().replace("$", "").replace(",", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"row {row_number}: payment rate {text!r} is not an amount") from None
    if value < 0:
        raise ValueError(f"row {row_number}: payment rate {text!r} is negative")
    return value


def parse_addendum_b(data: bytes) -> list[OppsRate]:
    """The rows of an OPPS Addendum B CSV (title lines before the header are skipped).

    Raises ValueError when no header with HCPCS, SI, APC and payment rate columns is found,
    a code is malformed, or a rate is not an amount.
    """
    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    found = next(
        ((n, cols) for n, row in enumerate(rows) if (cols := _header(row)) is not None), None
    )
    if found is None:
        raise ValueError(
            "no header row with HCPCS Code, SI, APC and Payment Rate: is this Addendum B?"
        )
    index, columns = found
    rates: list[OppsRate] = []
    for number, row in enumerate(rows[index + 1 :], start=index + 2):
        if len(row) <= max(columns.values()) or not row[columns["hcpcs"]].strip():
            continue
        code = row[columns["hcpcs"]].strip().upper()
        if len(code) != 5 or not code.isalnum():
            raise ValueError(f"row {number}: {code!r} is not a HCPCS code")
        rates.append(
            OppsRate(
                hcpcs=code,
                status_indicator=row[columns["si"]].strip().upper(),
                apc=row[columns["apc"]].strip(),
                payment_rate=_money(row[columns["rate"]], number),
                description=row[columns["description"]].strip() if "description" in columns else "",
            )
        )
    if not rates:
        raise ValueError("the file has a header but no rows")
    return rates


def opps_estimate(
    lines: Sequence[ClaimLine],
    rates: Mapping[str, OppsRate],
    asp_limits: Mapping[str, Decimal],
) -> list[LineEstimate]:
    """How OPPS would pay each line of one institutional claim (see the module notes)."""
    indicators = {rates[x.code].status_indicator for x in lines if x.code in rates}
    has_stv = bool(indicators & STV)
    return [_line(line, rates.get(line.code), asp_limits, has_stv) for line in lines]


def _line(
    line: ClaimLine, rate: OppsRate | None, asp: Mapping[str, Decimal], has_stv: bool
) -> LineEstimate:
    if rate is None:
        return LineEstimate(line, "", "", "Not in the imported OPPS file", None)
    si, apc = rate.status_indicator, rate.apc
    if si in DRUG_PAID_AT_ASP:
        return _drug(line, rate, asp.get(line.code))
    if si == PACKAGED or (si == CONDITIONALLY_PACKAGED and has_stv):
        return LineEstimate(line, si, apc, "Packaged (paid within the APC)", Decimal(0))
    if rate.payment_rate is None:
        return LineEstimate(line, si, apc, f"Status {si}: no separate OPPS payment", None)
    amount = rate.payment_rate * line.units
    basis = f"APC {apc} rate" if apc else "OPPS rate"
    if NON_EXCEPTED in line.modifiers:
        amount *= PFS_RELATIVITY_ADJUSTER
        basis += " × 40% (non-excepted off-campus, PN)"
    return LineEstimate(line, si, apc, basis, amount.quantize(CENT, ROUND_HALF_UP))


def _drug(line: ClaimLine, rate: OppsRate, limit: Decimal | None) -> LineEstimate:
    si, apc = rate.status_indicator, rate.apc
    if limit is not None:
        amount = (limit * line.units).quantize(CENT, ROUND_HALF_UP)
        return LineEstimate(line, si, apc, "ASP + 6% (ASP file payment limit)", amount)
    if rate.payment_rate is None:
        return LineEstimate(line, si, apc, "No ASP limit or OPPS rate on file", None)
    amount = (rate.payment_rate * line.units).quantize(CENT, ROUND_HALF_UP)
    return LineEstimate(line, si, apc, "OPPS drug rate (ASP + 6%)", amount)


def estimate_total(estimates: Sequence[LineEstimate]) -> Decimal:
    return sum((e.amount for e in estimates if e.amount is not None), Decimal(0))


__all__ = [
    "LineEstimate",
    "OppsRate",
    "estimate_total",
    "opps_estimate",
    "parse_addendum_b",
]
