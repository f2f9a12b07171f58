"""Sterile compounding: the beyond-use date (BUD) of a compounded sterile preparation (CSP),
its concentration, and where it may be made.

Source: USP General Chapter <797> "Pharmaceutical Compounding - Sterile Preparations",
revision published 1 Nov 2022, official 1 Nov 2023.

* **Immediate use** (§1.3): a CSP made outside the chapter's full requirements; its
  administration must begin within **4 hours** of the start of its preparation, and no more
  than 3 different sterile products go into it.
* **Category 1** (§14, Table 10 "BUD Limits for Category 1 CSPs"): compounded in a
  segregated compounding area (or a cleanroom suite); at most **12 hours** at controlled room
  temperature (20-25 °C), **24 hours** refrigerated (2-8 °C). Table 10 gives no frozen limit,
  so a Category 1 CSP is not frozen.
* **Category 2** (§14, Table 11 "BUD Limits for Category 2 CSPs"): compounded in a cleanroom
  suite. Chairside implements the one row an infusion pharmacy uses for doses made from
  commercial vials and bags: *aseptically processed, no sterility testing, prepared only
  from sterile starting components* — **4 days** at controlled room temperature, **10 days**
  refrigerated, **45 days** frozen (-25 to -10 °C). The other rows (a nonsterile starting
  component, terminal sterilization, sterility tested) need a sterilization or a test
  result Chairside does not record, so they are refused rather than guessed.
* **Category 3** (§14, Table 12) needs sterility and endotoxin testing, a stability study and
  more frequent environmental monitoring: out of scope, refused.
* The BUD is counted from the date and time preparation **begins** (§14), and it may never
  be later than the expiry of any starting component (§14: the BUD must not exceed the
  shortest remaining expiration date of the commercially available starting components).
  A label's or a study's in-use stability, when shorter, shortens it too.

The table numbers were checked against secondary texts the reference search holds (a summary
of Wolters Kluwer's "USP 797 BUD Updates", and a compounding template naming "Table 10 for
Category 1 CSPs or Table 11 for Category 2 CSPs"); the Category 2 day figures could not be
read there and follow the chapter as published. The chapter itself (sold by USP) is the
authority: check a changed revision against it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CONCENTRATION_STEP = Decimal("0.0001")  # mg/mL; small antibiotic concentrations need four places
IMMEDIATE_USE_MAX_PRODUCTS = 3  # USP <797> §1.3


class Category(StrEnum):
    IMMEDIATE_USE = "immediate_use"
    CATEGORY_1 = "category_1"
    CATEGORY_2 = "category_2"
    CATEGORY_3 = "category_3"


class Storage(StrEnum):
    ROOM = "room"
    REFRIGERATED = "refrigerated"
    FROZEN = "frozen"


class Area(StrEnum):
    """Where the CSP is compounded (USP <797> §4: the primary engineering control's setting)."""

    UNCLASSIFIED = "unclassified"  # no ISO-classified space: immediate use only
    SEGREGATED = "segregated"  # ISO Class 5 PEC in a segregated compounding area (SCA)
    CLEANROOM = "cleanroom"  # ISO Class 5 PEC in an ISO 7 buffer room with ante-room


CATEGORY_LABELS: dict[Category, str] = {
    Category.IMMEDIATE_USE: "Immediate use (USP <797> §1.3)",
    Category.CATEGORY_1: "Category 1",
    Category.CATEGORY_2: "Category 2 (aseptic, sterile components, not sterility tested)",
    Category.CATEGORY_3: "Category 3",
}
STORAGE_LABELS: dict[Storage, str] = {
    Storage.ROOM: "Controlled room temperature 20-25 °C",
    Storage.REFRIGERATED: "Refrigerate 2-8 °C",
    Storage.FROZEN: "Freeze -25 to -10 °C",
}
AREA_LABELS: dict[Area, str] = {
    Area.UNCLASSIFIED: "Unclassified space (immediate use only)",
    Area.SEGREGATED: "Segregated compounding area (ISO 5 PEC)",
    Area.CLEANROOM: "Cleanroom suite (ISO 5 PEC in ISO 7 buffer room)",
}

# The longest BUD of each category and storage (USP <797> §1.3 and Tables 10 and 11).
BUD_LIMITS: dict[tuple[Category, Storage], dt.timedelta] = {
    (Category.IMMEDIATE_USE, Storage.ROOM): dt.timedelta(hours=4),
    (Category.IMMEDIATE_USE, Storage.REFRIGERATED): dt.timedelta(hours=4),
    (Category.CATEGORY_1, Storage.ROOM): dt.timedelta(hours=12),
    (Category.CATEGORY_1, Storage.REFRIGERATED): dt.timedelta(hours=24),
    (Category.CATEGORY_2, Storage.ROOM): dt.timedelta(days=4),
    (Category.CATEGORY_2, Storage.REFRIGERATED): dt.timedelta(days=10),
    (Category.CATEGORY_2, Storage.FROZEN): dt.timedelta(days=45),
}

# The least controlled place each category may be compounded in.
AREAS_ALLOWED: dict[Category, frozenset[Area]] = {
    Category.IMMEDIATE_USE: frozenset(Area),
    Category.CATEGORY_1: frozenset({Area.SEGREGATED, Area.CLEANROOM}),
    Category.CATEGORY_2: frozenset({Area.CLEANROOM}),
}


@dataclass(frozen=True)
class Component:
    """A starting component as the BUD rule needs it: what it is and when it expires."""

    name: str
    lot: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class BeyondUse:
    """The BUD and what set it: the chapter's limit, a component's expiry, or a stability
    limit."""

    at: dt.datetime
    limited_by: str


def _aware(moment: dt.datetime, name: str) -> None:
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        raise ValueError(f"{name} must be a time with its time zone")


def _category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise ValueError(f"unknown compounding category {value!r}") from None


def _storage(value: str) -> Storage:
    try:
        return Storage(value)
    except ValueError:
        raise ValueError(f"unknown storage {value!r}") from None


def bud_limit(category: str, storage: str) -> dt.timedelta:
    """The longest BUD USP <797> allows for a category stored this way."""
    cat, store = _category(category), _storage(storage)
    if cat is Category.CATEGORY_3:
        raise ValueError(
            "Category 3 CSPs need sterility and endotoxin testing and a stability study "
            "(USP <797> Table 12); Chairside does not assign their BUD."
        )
    limit = BUD_LIMITS.get((cat, store))
    if limit is None:
        raise ValueError(
            f"{CATEGORY_LABELS[cat]} CSPs cannot be stored {STORAGE_LABELS[store].lower()}: "
            "USP <797> gives no beyond-use date for it."
        )
    return limit


def area_problem(category: str, area: str) -> str | None:
    """Why a CSP of this category may not be compounded in this area; None when it may."""
    cat = _category(category)
    try:
        where = Area(area)
    except ValueError:
        raise ValueError(f"unknown compounding area {area!r}") from None
    allowed = AREAS_ALLOWED.get(cat, frozenset())
    if where in allowed:
        return None
    needed = " or ".join(AREA_LABELS[a].split(" (")[0].lower() for a in Area if a in allowed)
    return (
        f"A {CATEGORY_LABELS[cat].split(' (')[0]} CSP is compounded in a {needed or 'place'}, "
        f"not in a {AREA_LABELS[where].split(' (')[0].lower()} (USP <797> §4 and §14)."
    )


def expiry_end(expires_on: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The last minute a lot with this expiry date may be used at the site (a lot may be
    used on its expiry date itself, as ``fefo.is_expired`` says)."""
    return dt.datetime.combine(expires_on, dt.time(23, 59), tzinfo=tz)


def beyond_use(
    *,
    category: str,
    storage: str,
    started_at: dt.datetime,
    components: Sequence[Component],
    stability_hours: Decimal | None = None,
) -> BeyondUse:
    """The CSP's beyond-use date: the earliest of the chapter's limit counted from the start
    of preparation, each component's expiry, and the in-use stability when given.

    ValueError when a component has already expired at the start, or when the category
    cannot be stored so.
    """
    _aware(started_at, "the start of preparation")
    limit = bud_limit(category, storage)
    cat = _category(category)
    candidates: list[tuple[dt.datetime, str]] = [
        (started_at + limit, f"USP <797>: {CATEGORY_LABELS[cat].split(' (')[0]}, {_span(limit)}")
    ]
    if stability_hours is not None:
        if not isinstance(stability_hours, Decimal | int) or stability_hours <= 0:
            raise ValueError("an in-use stability limit must be more than 0 hours")
        minutes = int(Decimal(stability_hours) * 60)
        candidates.append(
            (
                started_at + dt.timedelta(minutes=minutes),
                f"in-use stability {Decimal(stability_hours).normalize():f} h",
            )
        )
    for part in components:
        _aware(part.expires_at, f"the expiry of {part.name}")
        if part.expires_at <= started_at:
            raise ValueError(f"{part.name} lot {part.lot} has expired: it cannot be used.")
        candidates.append((part.expires_at, f"{part.name} lot {part.lot} expiry"))
    at, why = min(candidates, key=lambda c: c[0])
    return BeyondUse(at=at, limited_by=why)


def _span(limit: dt.timedelta) -> str:
    if limit >= dt.timedelta(days=2):
        return f"{limit.days} days"
    return f"{int(limit.total_seconds() // 3600)} hours"


def concentration(amount: Decimal, final_volume_ml: Decimal) -> Decimal:
    """Amount per mL of the final preparation (e.g. mg/mL), to four decimals."""
    for value, name in ((amount, "amount"), (final_volume_ml, "final volume")):
        if isinstance(value, bool) or not isinstance(value, Decimal | int) or value <= 0:
            raise ValueError(f"the {name} must be more than 0, not {value!r}")
    return (Decimal(amount) / Decimal(final_volume_ml)).quantize(CONCENTRATION_STEP, ROUND_HALF_UP)


def immediate_use_problem(category: str, sterile_products: int) -> str | None:
    """USP <797> §1.3: an immediate-use CSP takes no more than 3 different sterile products."""
    if _category(category) is not Category.IMMEDIATE_USE:
        return None
    if sterile_products > IMMEDIATE_USE_MAX_PRODUCTS:
        return (
            f"An immediate-use CSP takes no more than {IMMEDIATE_USE_MAX_PRODUCTS} different "
            f"sterile products (USP <797> §1.3); this one has {sterile_products}."
        )
    return None


def drawn_problem(amount_mg: Decimal, vials: int, strength_mg: Decimal) -> str | None:
    """Why an amount cannot be drawn from ``vials`` vials of ``strength_mg``; None if it can."""
    if vials < 1:
        return "Draw from 1 vial or more."
    if amount_mg <= 0:
        return "Enter the amount drawn (more than 0)."
    opened = strength_mg * vials
    if amount_mg > opened:
        return (
            f"{amount_mg.normalize():f} mg is more than {vials} vial{'s' if vials != 1 else ''} "
            f"of {strength_mg.normalize():f} mg hold ({opened.normalize():f} mg)."
        )
    if amount_mg <= opened - strength_mg:
        return (
            f"{amount_mg.normalize():f} mg needs fewer vials than {vials}: "
            "open only the vials the dose needs."
        )
    return None
