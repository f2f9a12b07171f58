"""Which single-dose vials to open for a dose.

Single-dose vials cannot be kept once opened (FDA guidance on single-dose containers; CDC
"Questions about Single-dose/Single-use Vials"), so whatever is opened beyond the dose is
wasted drug, and Medicare pays for that waste only under the JW-modifier policy (CMS
Medicare Claims Processing Manual, Chapter 17, section 40). The choice therefore minimizes
waste first, then the number of vials (fewer punctures, less preparation time).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal


def choose_vials(dose_mg: Decimal, vial_sizes_mg: Sequence[Decimal]) -> dict[Decimal, int]:
    """Return ``{vial size: count}`` for the vials to open to cover ``dose_mg``.

    The opened total is at least the dose and wastes the least drug; among those, the fewest
    vials; among those, the larger vials. Only sizes actually used appear, keyed by the
    Decimal sizes as given (the first of equal duplicates). Exact for any Decimals: sizes and
    dose are scaled to integers and solved as an unbounded coin-change problem.
    Raises ValueError when the dose or a size is not positive, or no sizes are given.
    """
    dose = _positive_decimal(dose_mg, "dose")
    if not vial_sizes_mg:
        raise ValueError("no vial sizes given; at least one is needed")
    sizes = [_positive_decimal(size, "vial size") for size in vial_sizes_mg]
    places = max(_decimal_places(value) for value in [dose, *sizes])
    by_units: dict[int, Decimal] = {}
    for size in sizes:
        by_units.setdefault(_to_units(size, places), size)
    # Every opened total is a multiple of the sizes' gcd, so work in those steps.
    step = math.gcd(*by_units)
    target = -(-_to_units(dose, places) // step)
    counts = _fewest_vials_covering(target, sorted((u // step for u in by_units), reverse=True))
    return {by_units[units * step]: n for units, n in counts.items()}


def _positive_decimal(value: Decimal, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"{name} {value!r} must be a Decimal")
    result = Decimal(value)
    if not result.is_finite() or result <= 0:
        raise ValueError(f"{name} {value} must be greater than 0 mg")
    return result


def _decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite values only reach here
    return max(0, -exponent)


def _to_units(value: Decimal, places: int) -> int:
    numerator, denominator = value.as_integer_ratio()
    # Exact: the denominator divides 10**places because value has at most that many places.
    scale: int = 10**places
    return numerator * scale // denominator


def _fewest_vials_covering(target: int, sizes: list[int]) -> dict[int, int]:
    """Solve in integer units; ``sizes`` are distinct and sorted largest first."""
    largest = sizes[0]
    second = sizes[1] if len(sizes) > 1 else 0
    # A fewest-vials combination holds fewer than `largest` smaller vials (else some of them
    # sum to a multiple of `largest` and fewer large vials would do; pigeonhole on prefix
    # sums), so for a big dose the bulk is large vials and only the remainder needs the DP.
    bulk = max(0, (target - largest * (second + 1)) // largest)
    counts = _dynamic_programme(target - bulk * largest, sizes)
    if bulk:
        counts[largest] = counts.get(largest, 0) + bulk
    return counts


def _dynamic_programme(target: int, sizes: list[int]) -> dict[int, int]:
    # The least-waste total is below target + largest: from any total at or above that,
    # removing one vial still covers the dose.
    limit = target + sizes[0]
    unreachable = limit + 1  # more vials than any reachable total could need
    fewest = [0] + [unreachable] * (limit - 1)
    for size in sizes:
        for total in range(size, limit):
            candidate = fewest[total - size] + 1
            # An explicit comparison: min() here makes the hot loop about 2.5x slower.
            if candidate < fewest[total]:  # noqa: PLR1730
                fewest[total] = candidate
    total = next(t for t in range(target, limit) if fewest[t] < unreachable)
    counts: dict[int, int] = {}
    while total:
        # Largest vial first that keeps the count optimal: the deterministic tie-break.
        size = next(s for s in sizes if s <= total and fewest[total - s] == fewest[total] - 1)
        counts[size] = counts.get(size, 0) + 1
        total -= size
    return counts
