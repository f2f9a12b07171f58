"""National Drug Codes: normalizing the label's NDC and writing it on a claim.

The FDA assigns a 10-digit NDC in one of three hyphenated layouts (labeler-product-package
4-4-2, 5-3-2 or 5-4-1; FDA, "National Drug Code Directory" and 21 CFR 207.33). Claims need
the HIPAA 11-digit 5-4-2 form, made by padding the short segment with a leading zero.
Because the padding position depends on the layout, a 10-digit NDC without hyphens cannot be
converted: the same digits name different products in different layouts.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

# Layout of a hyphenated NDC -> index of the segment that gets the leading zero (None: 5-4-2
# is already the 11-digit form). Source: FDA NDC Directory; CMS/NUCC 11-digit conversion.
_LAYOUTS: dict[tuple[int, int, int], int | None] = {
    (4, 4, 2): 0,
    (5, 3, 2): 1,
    (5, 4, 1): 2,
    (5, 4, 2): None,
}

# NDC unit-of-measure qualifiers for the claim's drug identification (X12 837P loop 2410
# CTP05-1; NUCC 1500 Reference Instruction Manual, item 24A/24D shaded area).
UNIT_QUALIFIERS: frozenset[str] = frozenset({"UN", "ML", "GR", "F2", "ME"})

# NUCC item 24: the NDC quantity takes at most three digits after the decimal point.
_QUANTITY_STEP = Decimal("0.001")


def _is_digits(text: str) -> bool:
    # str.isdigit alone accepts superscripts and other scripts' digits ("²", "٣").
    return text.isascii() and text.isdigit()


def to_ndc11(ndc: str) -> str:
    """Return the 11-digit NDC (no hyphens) for a 10-digit hyphenated or 11-digit NDC.

    Accepts 4-4-2, 5-3-2 and 5-4-1 (the FDA's 10-digit layouts), 5-4-2, or 11 bare digits;
    surrounding whitespace is ignored. Raises ValueError for anything else, including 10 bare
    digits, whose layout (and so the padding position) cannot be known.
    """
    if not isinstance(ndc, str):
        raise ValueError(f"NDC must be a string, not {type(ndc).__name__}")
    text = ndc.strip()
    if not text:
        raise ValueError("NDC is empty")
    if "-" in text:
        return _from_hyphenated(text)
    if not _is_digits(text):
        raise ValueError(f"NDC {ndc!r} must contain only digits and hyphens")
    if len(text) == 11:
        return text
    if len(text) == 10:
        raise ValueError(
            f"NDC {ndc!r} has 10 digits without hyphens, which is ambiguous; "
            "give it as 4-4-2, 5-3-2 or 5-4-1 from the label"
        )
    raise ValueError(f"NDC {ndc!r} has {len(text)} digits; expected 10 or 11")


def _from_hyphenated(text: str) -> str:
    segments = text.split("-")
    if len(segments) != 3:
        raise ValueError(f"NDC {text!r} has {len(segments)} segments; expected 3")
    if not all(_is_digits(segment) for segment in segments):
        raise ValueError(f"NDC {text!r} must contain only digits and hyphens")
    layout = (len(segments[0]), len(segments[1]), len(segments[2]))
    if layout not in _LAYOUTS:
        raise ValueError(
            f"NDC {text!r} has segments {layout[0]}-{layout[1]}-{layout[2]}; "
            "expected 4-4-2, 5-3-2, 5-4-1 or 5-4-2"
        )
    pad_at = _LAYOUTS[layout]
    if pad_at is not None:
        segments[pad_at] = "0" + segments[pad_at]
    return "".join(segments)


def format_ndc11(ndc11: str) -> str:
    """Return an 11-digit NDC in its 5-4-2 hyphenated display form (``00409-4888-02``)."""
    if not isinstance(ndc11, str) or len(ndc11) != 11 or not _is_digits(ndc11):
        raise ValueError(f"NDC {ndc11!r} is not 11 digits without hyphens")
    return f"{ndc11[:5]}-{ndc11[5:9]}-{ndc11[9:]}"


def claim_ndc(ndc: str, quantity: Decimal, unit: str) -> str:
    """Return the claim's drug identification: ``N4`` + NDC11 + unit qualifier + quantity.

    Example: ``claim_ndc("0409-4888-02", Decimal("10"), "ML") == "N400409488802ML10"``.
    The unit is one of UN, ML, GR, F2, ME (any case). The quantity must be positive; it is
    rounded half-up to 3 decimal places and written without exponent or trailing zeros.
    """
    ndc11 = to_ndc11(ndc)
    qualifier = _unit_qualifier(unit)
    return f"N4{ndc11}{qualifier}{_claim_quantity(quantity)}"


def _unit_qualifier(unit: str) -> str:
    if not isinstance(unit, str) or unit.upper() not in UNIT_QUALIFIERS:
        allowed = ", ".join(sorted(UNIT_QUALIFIERS))
        raise ValueError(f"NDC unit {unit!r} is not one of {allowed}")
    return unit.upper()


def _claim_quantity(quantity: Decimal) -> str:
    if isinstance(quantity, bool) or not isinstance(quantity, Decimal | int):
        raise ValueError(f"NDC quantity must be a Decimal, not {type(quantity).__name__}")
    value = Decimal(quantity)
    if not value.is_finite() or value <= 0:
        raise ValueError(f"NDC quantity {quantity} must be greater than 0")
    with localcontext() as ctx:
        # Room for every digit, so a large quantity never trips quantize's precision limit.
        ctx.prec = max(ctx.prec, value.adjusted() + 5)
        rounded = value.quantize(_QUANTITY_STEP, rounding=ROUND_HALF_UP)
    if rounded == 0:
        raise ValueError(f"NDC quantity {quantity} rounds to 0 at 3 decimal places")
    # Format "f" never uses an exponent; then drop the zeros the quantize added.
    return format(rounded, "f").rstrip("0").rstrip(".")
