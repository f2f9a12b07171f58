"""Home infusion billing: from the days of therapy and the nursing visits to claim lines.

Who pays how (each rule cites its public source; the code table is the reference data file
``rules/billing/data/home_infusion_codes.csv``, one source per row):

* **Commercial and Medicaid payers** pay home infusion by the *per diem* model: an S-code
  per day of therapy covering the pharmacy's professional services, care coordination,
  supplies and equipment, with the drug and the nursing visits billed separately
  (National Home Infusion Association per diem model as payers publish it: BCBS North
  Dakota reimbursement policy "Home Infusion Therapy Services": "The per diem code is
  billed for each day that a patient receives an infusion ... Nursing services and drug
  products are reimbursed separately"; HMSA "Home IV Anti-Microbial Therapy -
  Administrative Information"). The S-code is chosen by therapy and by dosing frequency
  (anti-infectives), volume per day (hydration, TPN) or mode (pain, chemotherapy).
  The drug goes on its own line with its HCPCS code and the NDC (N4 qualifier).
  Nursing visits are CPT 99601 (up to 2 hours) plus 99602 per additional hour.
* **Medicare Part B** does not recognize S-codes (HCPCS coverage code I, "not payable by
  Medicare"). Its **home infusion therapy (HIT) services** benefit (Social Security Act
  §1861(iii), §1834(u); 42 CFR 486 subpart I; Medicare Benefit Policy Manual ch. 15 §320)
  pays the qualified HIT supplier a single payment per *infusion drug administration
  calendar day*: a day on which a skilled professional furnished services in the patient's
  home while the drug was administered (§320.8.2). The G-code depends on the drug's payment
  category (1, 2 or 3) and on whether it is the initial visit (§320.8.3). Only drugs
  administered through an item of DME, an external infusion pump on the DME MAC's
  External Infusion Pumps LCD, qualify (SSA §1861(iii)(3)(C); Noridian JE "Home Infusion
  Therapy (HIT)": "through home DME pump"). The drug and the pump are billed to the DME MAC
  under the DME benefit, not on this claim (Noridian JE: "Infusion pump systems and supplies
  continue coverage under DME benefit").
* **Ambulatory infusion suite** (the pharmacy's own chairs): the per diem is billed as at
  home; whether the suite nurse's time is billed as 99601/99602 or is left inside the per
  diem is the payer's rule, so it is a payer setting. BCBS North Dakota bills the suite with
  place of service 49 ("49 (independent clinic) for home infusion suite"). A period mixing
  home and suite visits (per diem with modifier SS, the payer's terms) is proposed by
  ``rules.home_infusion_suite.propose_claim_with_suite``.

Malformed input raises ValueError; a rule that is not met raises :class:`HomeBillingRuleError`
(a ValueError) whose message says what is missing, in words a biller understands.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from chairside.rules.billing.charges import ClaimLine
from chairside.rules.inventory.ndc import claim_ndc, to_ndc11

CODE_TABLE = Path(__file__).parent / "data" / "home_infusion_codes.csv"

COMMERCIAL = "commercial"
MEDICAID = "medicaid"
MEDICARE_B = "medicare_b"
PAYER_CATEGORIES = (COMMERCIAL, MEDICAID, MEDICARE_B)

HOME = "home"
SUITE = "suite"
# CMS Place of Service Code Set: 12 Home; a home infusion suite bills 49 (BCBS ND policy).
PLACE_OF_SERVICE = {HOME: "12", SUITE: "49"}

THERAPIES = (
    "anti_infective",
    "hydration",
    "tpn",
    "immunotherapy",
    "inotrope",
    "pain_management",
    "chemotherapy",
    "other",
)
MODES = ("continuous", "intermittent", "implanted_pump")

# Anti-infective per diem by dosing interval in hours (S9497-S9504 family, see the table;
# descriptors from the CMS HCPCS Level II file). An interval outside the family (every 2 or
# 48 hours, say) has no code and is refused rather than guessed.
_ANTI_INFECTIVE = {24: "S9500", 12: "S9501", 8: "S9502", 6: "S9503", 4: "S9504", 3: "S9497"}

# How a payer codes the per diem of an anti-infective, hydration or TPN: by the scale of
# interval or volume (the default), or one whole-therapy code whatever the interval or
# volume. Each whole-therapy descriptor says not to combine it with its scale (HCPCS S9494
# "do not use this code with ... s9497-s9504", S9373 "do not use with ... s9374-s9377",
# S9364 "do not use with ... s9365-s9368"); payers name the one they pay (HMSA's
# anti-microbial example bills S9494 for cefazolin every 8 hours).
PER_DIEM_SCALE = "scale"
PER_DIEM_WHOLE_THERAPY = "therapy"
PER_DIEM_CODINGS = (PER_DIEM_SCALE, PER_DIEM_WHOLE_THERAPY)
_WHOLE_THERAPY = {"anti_infective": "S9494", "hydration": "S9373", "tpn": "S9364"}

# Hydration (S9374-S9377) and TPN (S9365-S9368) per diem by daily volume: the upper bound
# in liters of each step, then the code above the last step (CMS HCPCS Level II file).
_BY_VOLUME: dict[str, tuple[tuple[tuple[Decimal, str], ...], str]] = {
    "hydration": (((Decimal(1), "S9374"), (Decimal(2), "S9375"), (Decimal(3), "S9376")), "S9377"),
    "tpn": (((Decimal(1), "S9365"), (Decimal(2), "S9366"), (Decimal(3), "S9367")), "S9368"),
}

# CPT 99601 covers a visit up to 2 hours; 99602 each additional hour. CPT's time rule:
# "a unit of time is attained when the mid-point is passed" (CPT introduction, time), so an
# additional hour counts once more than 30 minutes of it have passed.
NURSING_FIRST = "99601"
NURSING_EACH_HOUR = "99602"
_FIRST_VISIT_MINUTES = 120

# Medicare HIT G-codes: (subsequent, initial) per payment category (Benefit Policy Manual
# ch. 15 §320.8.1/§320.8.3; descriptors "each 15 minutes" in the HCPCS file).
HIT_CODES = {1: ("G0068", "G0088"), 2: ("G0069", "G0089"), 3: ("G0070", "G0090")}
HIT_UNIT_MINUTES = 15
# "in order to bill a first visit again, the patient's history must show a gap of more than
# 60 days between home infusion therapy service visits ... [the supplier] could bill the
# first visit payment amount on day 61" (Benefit Policy Manual ch. 15 §320.8.3).
HIT_INITIAL_GAP_DAYS = 60

# Drugs Noridian lists by HCPCS for categories 2 and 3 (Noridian JE "Home Infusion Therapy
# (HIT)"); category 1 is a list of J-codes in J0133-J3285 that the DME MAC publishes, so a
# category-1 drug is taken from the order as recorded, not guessed from its code range.
HIT_CATEGORY_2 = frozenset({"J1551", "J1555", "J1558", "J1559", "J1561", "J1562", "J1569", "J1575"})
HIT_CATEGORY_3 = frozenset({"J9000", "J9039", "J9040", "J9065", "J9100", "J9190", "J9360", "J9370"})


class HomeBillingRuleError(ValueError):
    """A billing rule is not met; the message names what is missing."""


@dataclass(frozen=True)
class HomeCode:
    """One row of the reference table, with its public source."""

    code: str
    payer: str
    therapy: str
    basis: str
    short_descriptor: str
    source: str


@cache
def code_table() -> dict[str, HomeCode]:
    """The verified home infusion codes (``data/home_infusion_codes.csv``), by code."""
    with CODE_TABLE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: HomeCode(**row) for row in csv.DictReader(handle)}


def _code(code: str) -> HomeCode:
    return code_table()[code]


@dataclass(frozen=True)
class HomeDrug:
    """The drug given per day of therapy: HCPCS code, billing units per day, and the NDC of
    the product dispensed (``ndc`` as on the label; ``ndc_quantity`` per day, ``ndc_unit``
    UN/ML/GR/F2/ME). A blank NDC gives a drug line without one (the claim check names it)."""

    hcpcs: str
    description: str
    units_per_day: int
    ndc: str = ""
    ndc_quantity: Decimal = Decimal(0)
    ndc_unit: str = "UN"


@dataclass(frozen=True)
class HomeTherapy:
    """What the order says about the therapy, as billing needs it.

    ``every_hours`` is the dosing interval of an anti-infective, ``liters_per_day`` the
    daily volume of hydration or TPN, ``mode`` continuous / intermittent / implanted_pump
    for pain management and chemotherapy. For Medicare HIT, ``hit_category`` is the drug's
    payment category (1-3, from the DME MAC's list) and ``via_dme_pump`` whether the drug is
    given through an external infusion pump billed as DME.
    """

    therapy: str
    drug: HomeDrug | None = None
    every_hours: int | None = None
    liters_per_day: Decimal | None = None
    mode: str = ""
    hit_category: int | None = None
    via_dme_pump: bool = False


@dataclass(frozen=True)
class NursingVisit:
    """One home (or suite) nursing visit: the day, minutes with the patient, and whether
    it happened in the patient's home with the nurse present and is signed."""

    date: dt.date
    minutes: int
    signed: bool = True
    in_home: bool = True
    nurse_present: bool = True


def per_diem_code(therapy: HomeTherapy, *, coding: str = PER_DIEM_SCALE) -> HomeCode:
    """The per diem S-code for the therapy (commercial and Medicaid payers).

    Example: an antibiotic every 8 hours -> S9502; hydration 1.5 L a day -> S9375; with a
    payer's ``coding="therapy"`` both are their whole-therapy codes (S9494, S9373), which
    need no interval or volume. Raises HomeBillingRuleError when the order lacks what
    decides the code, or when the dosing interval has no HCPCS per diem code.
    """
    kind = therapy.therapy
    if kind not in THERAPIES:
        raise ValueError(f"therapy {kind!r} must be one of {', '.join(THERAPIES)}")
    if coding not in PER_DIEM_CODINGS:
        raise ValueError(f"per diem coding {coding!r} must be one of {PER_DIEM_CODINGS}")
    if coding == PER_DIEM_WHOLE_THERAPY and kind in _WHOLE_THERAPY:
        return _code(_WHOLE_THERAPY[kind])
    if kind == "anti_infective":
        return _code(_anti_infective(therapy.every_hours))
    if kind in {"hydration", "tpn"}:
        return _code(_by_volume(kind, therapy.liters_per_day))
    if kind in {"pain_management", "chemotherapy"}:
        return _code(_by_mode(kind, therapy.mode))
    return _code({"immunotherapy": "S9338", "inotrope": "S9348", "other": "S9379"}[kind])


def _anti_infective(every_hours: int | None) -> str:
    if every_hours is None:
        raise HomeBillingRuleError(
            "The anti-infective order has no dosing interval; the per diem code depends on it."
        )
    try:
        return _ANTI_INFECTIVE[every_hours]
    except KeyError:
        known = ", ".join(f"every {h} h" for h in sorted(_ANTI_INFECTIVE, reverse=True))
        raise HomeBillingRuleError(
            f"HCPCS has no per diem code for an anti-infective every {every_hours} hours "
            f"(it has: {known}); bill it by hand from the payer's fee schedule."
        ) from None


def _by_volume(kind: str, liters: Decimal | None) -> str:
    """The volume-scale code: e.g. hydration 1 L -> S9374, 1.01-2 L -> S9375; TPN 2.5 L ->
    S9367, more than 3 L -> S9368."""
    name = "Hydration" if kind == "hydration" else "TPN"
    if liters is None or liters <= 0:
        raise HomeBillingRuleError(f"The {name} order has no daily volume in liters.")
    steps, above = _BY_VOLUME[kind]
    for upper, code in steps:
        if liters <= upper:
            return code
    return above


def _by_mode(kind: str, mode: str) -> str:
    codes = {
        ("pain_management", "continuous"): "S9326",
        ("pain_management", "intermittent"): "S9327",
        ("pain_management", "implanted_pump"): "S9328",
        ("chemotherapy", "continuous"): "S9330",
        ("chemotherapy", "intermittent"): "S9331",
    }
    try:
        return codes[(kind, mode)]
    except KeyError:
        label = kind.replace("_", " ")
        raise HomeBillingRuleError(
            f"The {label} order must say continuous or intermittent"
            f"{' or implanted pump' if kind == 'pain_management' else ''} (got {mode or 'none'})."
        ) from None


def nursing_units(minutes: int) -> list[tuple[str, int]]:
    """99601 x1 for the first 2 hours, then 99602 for each additional hour past its
    mid-point. Example: 90 min -> [99601 x1]; 200 min -> [99601 x1, 99602 x1];
    240 min -> [99601 x1, 99602 x2]."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise ValueError(f"visit minutes {minutes!r} must be a positive whole number")
    lines = [(NURSING_FIRST, 1)]
    extra = minutes - _FIRST_VISIT_MINUTES
    hours, rest = divmod(max(extra, 0), 60)
    hours += 1 if rest > 30 else 0
    if hours:
        lines.append((NURSING_EACH_HOUR, hours))
    return lines


def hit_initial_allowed(
    visit_date: dt.date,
    last_hit_visit: dt.date | None,
    discharged_since: bool,
    outside_last_visit: dt.date | None = None,
) -> bool:
    """Whether this supplier may bill the initial-visit G-code on ``visit_date``.

    Allowed for a patient with no earlier HIT G-code from the supplier, or after a discharge
    with a gap of more than 60 days (day 61 onward; Benefit Policy Manual ch. 15 §320.8.3).
    The gap is in the patient's history, so another supplier's HIT visit counts too
    (``outside_last_visit``, as the referral reports it): within 60 days of it, the first
    visit here is a subsequent visit (:func:`outside_history_blocks_initial`).
    """
    if outside_history_blocks_initial(visit_date, outside_last_visit):
        return False
    if last_hit_visit is None:
        return True
    return discharged_since and (visit_date - last_hit_visit).days > HIT_INITIAL_GAP_DAYS


def outside_history_blocks_initial(visit_date: dt.date, outside_last_visit: dt.date | None) -> bool:
    """True when another supplier's HIT visit on ``outside_last_visit`` is 60 days or less
    before ``visit_date`` (the initial visit needs a gap of more than 60 days in the
    patient's history: day 61 onward; §320.8.3). A date after the visit is not history."""
    if outside_last_visit is None or outside_last_visit > visit_date:
        return False
    return (visit_date - outside_last_visit).days <= HIT_INITIAL_GAP_DAYS


def outside_history_note(
    visit_date: dt.date, code: str, outside_last_visit: dt.date, supplier: str
) -> str:
    """Why a first HIT visit day is billed with the subsequent-visit code: the words the
    claim shows."""
    days = (visit_date - outside_last_visit).days
    who = supplier or "another supplier"
    return (
        f"{code} on {visit_date:%m/%d/%Y} is billed as a subsequent visit: the patient's last "
        f"home infusion therapy visit by {who} was on {outside_last_visit:%m/%d/%Y}, {days} "
        f"day{'s' if days != 1 else ''} earlier; the initial-visit code needs a gap of more "
        f"than {HIT_INITIAL_GAP_DAYS} days in the patient's history (Medicare Benefit Policy "
        "Manual ch. 15 §320.8.3)."
    )


def hit_refusal(therapy: HomeTherapy, visit: NursingVisit) -> str | None:
    """Why a Medicare HIT visit day cannot be billed, or None when it can."""
    if therapy.hit_category not in HIT_CODES:
        return (
            "The drug has no Medicare home infusion payment category (1, 2 or 3 on the DME "
            "MAC's list): it does not qualify for HIT services."
        )
    if not therapy.via_dme_pump:
        return (
            "Medicare pays HIT services only for a drug given through an external infusion "
            "pump billed as DME (External Infusion Pumps LCD); the order has no DME pump."
        )
    if not visit.in_home:
        return f"The visit on {visit.date:%m/%d/%Y} was not in the patient's home."
    if not visit.nurse_present:
        return (
            f"No skilled professional was present on {visit.date:%m/%d/%Y}: an infusion drug "
            "administration calendar day needs the nurse in the home."
        )
    return None


def hit_units(minutes: int) -> int:
    """The G-code units: the visit's length in 15-minute increments, at least one.

    The G-codes are "each 15 minutes" and CMS asks for multiple units to show the visit's
    length (CMS, "Clarifying Instructions for Billing and Processing Claims with Multiple
    Units to Indicate the Length of Time Per Home Infusion Therapy Service Visit", 2021);
    the payment is one single amount per calendar day whatever the units (§320.8.2)."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise ValueError(f"visit minutes {minutes!r} must be a positive whole number")
    return max(1, math.ceil(minutes / HIT_UNIT_MINUTES))


@dataclass(frozen=True)
class ProposedClaim:
    """The proposed lines and the days or visits left out, each with the reason."""

    lines: tuple[ClaimLine, ...]
    refused: tuple[str, ...] = ()
    # Why a line is as it is when that is not obvious (a first visit billed as subsequent
    # because of another supplier's history): shown with the claim, never blocking it.
    notes: tuple[str, ...] = ()


def propose_home_claim_lines(
    *,
    payer_category: str,
    therapy: HomeTherapy,
    therapy_days: Sequence[dt.date],
    visits: Sequence[NursingVisit],
    last_hit_visit: dt.date | None = None,
    discharged_since: bool = False,
    per_diem_coding: str = PER_DIEM_SCALE,
    outside_last_visit: dt.date | None = None,
    outside_supplier: str = "",
) -> ProposedClaim:
    """Propose the claim lines of one home infusion billing period.

    Commercial / Medicaid: per day of therapy one per diem line (1 unit) and, with a drug,
    one drug line (units per day, NDC); per signed visit 99601 (+ 99602 x n), all at the home
    (POS 12; a period with visits at the pharmacy's suite goes through
    ``home_infusion_suite.propose_claim_with_suite``). Medicare Part B:
    per signed in-home visit day one G-code line (initial code for the first visit when
    :func:`hit_initial_allowed`), units in 15-minute increments; nothing for days without a
    visit, and no drug line (the drug is billed to the DME MAC).

    Unsigned visits are never billed. Raises HomeBillingRuleError when the therapy cannot be
    billed at all (e.g. an anti-infective at an interval with no per diem code, a Medicare drug
    given without a DME pump), ValueError for malformed input.
    """
    if payer_category not in PAYER_CATEGORIES:
        raise ValueError(f"payer category {payer_category!r} must be one of {PAYER_CATEGORIES}")
    pos = PLACE_OF_SERVICE[HOME]
    signed = sorted((v for v in visits if v.signed), key=lambda v: v.date)
    unsigned = tuple(
        f"Visit on {v.date:%m/%d/%Y} is not signed: not billed." for v in visits if not v.signed
    )
    if payer_category == MEDICARE_B:
        lines, refused, notes = _hit_lines(
            therapy,
            signed,
            last_hit_visit,
            discharged_since,
            outside=(outside_last_visit, outside_supplier),
        )
        return ProposedClaim(tuple(lines), unsigned + refused, notes)
    lines = _per_diem_lines(therapy, sorted(set(therapy_days)), pos, per_diem_coding)
    for visit in signed:
        lines += _nursing_lines(visit, pos)
    return ProposedClaim(tuple(lines), unsigned)


def _per_diem_lines(
    therapy: HomeTherapy, days: list[dt.date], pos: str, coding: str
) -> list[ClaimLine]:
    code = per_diem_code(therapy, coding=coding)
    lines: list[ClaimLine] = []
    for day in days:
        lines.append(
            ClaimLine(
                kind="administration",
                code=code.code,
                units=1,
                modifiers=(),
                diagnosis_pointers=(1,),
                place_of_service=pos,
                date_of_service=day,
                description=f"Per diem: {code.short_descriptor}"[:160],
            )
        )
        if therapy.drug is not None:
            lines.append(_drug_line(therapy.drug, day, pos))
    return lines


def _drug_line(drug: HomeDrug, day: dt.date, pos: str) -> ClaimLine:
    if drug.units_per_day < 1:
        raise ValueError(f"{drug.description}: units per day must be at least 1")
    ndc11 = to_ndc11(drug.ndc) if drug.ndc.strip() else ""
    return ClaimLine(
        kind="drug",
        code=drug.hcpcs.strip().upper(),
        units=drug.units_per_day,
        modifiers=(),
        diagnosis_pointers=(1,),
        place_of_service=pos,
        date_of_service=day,
        description=drug.description[:160],
        ndc=claim_ndc(ndc11, drug.ndc_quantity, drug.ndc_unit) if ndc11 else None,
        ndc11=ndc11,
        ndc_unit=drug.ndc_unit if ndc11 else "",
        ndc_quantity=drug.ndc_quantity if ndc11 else None,
    )


def _nursing_lines(visit: NursingVisit, pos: str) -> list[ClaimLine]:
    return [
        ClaimLine(
            kind="administration",
            code=code,
            units=units,
            modifiers=(),
            diagnosis_pointers=(1,),
            place_of_service=pos,
            date_of_service=visit.date,
            description=(
                "Home infusion nursing visit, first 2 hours"
                if code == NURSING_FIRST
                else "Home infusion nursing visit, each additional hour"
            ),
        )
        for code, units in nursing_units(visit.minutes)
    ]


def _hit_lines(
    therapy: HomeTherapy,
    visits: list[NursingVisit],
    last_hit_visit: dt.date | None,
    discharged_since: bool,
    outside: tuple[dt.date | None, str] = (None, ""),
) -> tuple[list[ClaimLine], tuple[str, ...], tuple[str, ...]]:
    lines: list[ClaimLine] = []
    refused: list[str] = []
    notes: list[str] = []
    outside_last, outside_supplier = outside
    billed_days: set[dt.date] = set()
    last, discharged = last_hit_visit, discharged_since
    if therapy.hit_category not in HIT_CODES or not therapy.via_dme_pump:
        # The drug itself does not qualify: no visit day of the period can be billed.
        raise HomeBillingRuleError(hit_refusal(therapy, NursingVisit(dt.date.min, 1)) or "")
    for visit in visits:
        reason = hit_refusal(therapy, visit)
        if reason is not None:
            refused.append(reason)
            continue
        if visit.date in billed_days:
            refused.append(
                f"A second visit on {visit.date:%m/%d/%Y}: HIT pays one unit of single payment "
                "per calendar day, already billed."
            )
            continue
        subsequent, initial = HIT_CODES[therapy.hit_category or 0]
        first = hit_initial_allowed(visit.date, last, discharged, outside_last)
        code = _code(initial if first else subsequent)
        if (
            not first
            and outside_last is not None
            and hit_initial_allowed(visit.date, last, discharged)
        ):
            # The pharmacy's own history alone would have allowed the initial code.
            notes.append(
                outside_history_note(visit.date, code.code, outside_last, outside_supplier)
            )
        lines.append(
            ClaimLine(
                kind="administration",
                code=code.code,
                units=hit_units(visit.minutes),
                modifiers=(),
                diagnosis_pointers=(1,),
                place_of_service=PLACE_OF_SERVICE[HOME],
                date_of_service=visit.date,
                description=code.short_descriptor[:160],
            )
        )
        billed_days.add(visit.date)
        last, discharged = visit.date, False
    return lines, tuple(refused), tuple(notes)


def hit_category_of(hcpcs: str) -> int | None:
    """2 or 3 when Noridian lists the drug's J-code in that category; None otherwise (a
    category-1 drug is recorded on the order from the DME MAC's list)."""
    code = hcpcs.strip().upper()
    if code in HIT_CATEGORY_2:
        return 2
    if code in HIT_CATEGORY_3:
        return 3
    return None


__all__ = [
    "COMMERCIAL",
    "HIT_CODES",
    "HOME",
    "MEDICAID",
    "MEDICARE_B",
    "PER_DIEM_CODINGS",
    "PER_DIEM_SCALE",
    "PER_DIEM_WHOLE_THERAPY",
    "SUITE",
    "HomeBillingRuleError",
    "HomeCode",
    "HomeDrug",
    "HomeTherapy",
    "NursingVisit",
    "ProposedClaim",
    "code_table",
    "hit_category_of",
    "hit_initial_allowed",
    "outside_history_blocks_initial",
    "outside_history_note",
    "hit_refusal",
    "hit_units",
    "nursing_units",
    "per_diem_code",
    "propose_home_claim_lines",
]
