"""Stock reconciliation for a period, and cycle-count variances.

Opening + received + transferred in − dispensed − wasted − returned − transferred out
− expired ± adjusted = closing. Every term is a sum of ledger movements, so the equation
holds by construction; the reconciliation's job is to show each term (the auditor's view)
and to prove the ledger's closing matches, which :func:`reconcile` checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """Movement kinds of the stock ledger, and the sign of their vial quantity."""

    RECEIVE = "receive"
    DISPENSE = "dispense"
    WASTE = "waste"
    RETURN = "return"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    EXPIRE = "expire"
    ADJUST = "adjust"


# +1: the kind adds vials, -1: it removes them, 0: either sign (adjust).
SIGN: dict[Kind, int] = {
    Kind.RECEIVE: 1,
    Kind.TRANSFER_IN: 1,
    Kind.DISPENSE: -1,
    Kind.WASTE: -1,
    Kind.RETURN: -1,
    Kind.TRANSFER_OUT: -1,
    Kind.EXPIRE: -1,
    Kind.ADJUST: 0,
}


def check_quantity(kind: Kind, vials: int) -> None:
    """Raise ValueError unless ``vials`` (signed change to on-hand) fits the kind.

    Partial-vial waste changes no vial count (the vial was already dispensed), so a waste
    of 0 vials is allowed; every other kind moves at least one vial.
    """
    if isinstance(vials, bool) or not isinstance(vials, int):
        raise ValueError(f"vials {vials!r} must be a whole number")
    sign = SIGN[Kind(kind)]
    if kind == Kind.WASTE and vials == 0:
        return
    if vials == 0:
        raise ValueError(f"a {kind} movement must move at least one vial")
    if sign and (vials > 0) != (sign > 0):
        direction = "add" if sign > 0 else "remove"
        raise ValueError(f"a {kind} movement must {direction} vials, not {vials:+d}")


@dataclass(frozen=True)
class Reconciliation:
    opening: int
    totals: dict[Kind, int]  # signed vials per kind over the period
    closing: int

    @property
    def expected_closing(self) -> int:
        return self.opening + sum(self.totals.values())

    @property
    def balanced(self) -> bool:
        return self.expected_closing == self.closing


def reconcile(
    opening: int, movements: Iterable[tuple[Kind | str, int]], closing: int
) -> Reconciliation:
    """Total each kind's signed vials over the period and check opening + Σ = closing."""
    totals: dict[Kind, int] = dict.fromkeys(Kind, 0)
    for kind, vials in movements:
        check_quantity(Kind(kind), vials)
        totals[Kind(kind)] += vials
    return Reconciliation(opening=opening, totals=totals, closing=closing)


def count_variances(
    expected: Mapping[str, int], counted: Mapping[str, int | None]
) -> dict[str, int]:
    """Counted − expected per lot, for the lots that were counted and differ.

    A lot left uncounted (None or missing) has no variance: not counting is not counting
    zero. Negative counts raise ValueError.
    """
    variances: dict[str, int] = {}
    for lot, count in counted.items():
        if count is None:
            continue
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"count {count!r} for lot {lot} must be a whole number >= 0")
        difference = count - expected.get(lot, 0)
        if difference:
            variances[lot] = difference
    return variances
