"""The chair-side visit's safety checks, and what is still missing before it can be signed.

* **Two identifiers.** "Use at least two patient identifiers when providing care, treatment,
  and services" (The Joint Commission, National Patient Safety Goal NPSG.01.01.01). The
  room or chair number is never an identifier.
* **Consent** for an infusion names the drug; it lapses a year after signature, or at once
  when the patient is to receive a different drug (a biosimilar switch is a new drug).
  This is the center's policy (issue #6); many states and payers ask at least that.
* **Weight.** A weight-based dose is ordered at a weight; when today's weight differs from
  it by more than 10 %, the dose must be confirmed by the ordering provider before it is
  prepared (center policy, issue #6; ASCO/ONS chemotherapy safety standards ask each
  practice to set such a threshold for recalculating doses). A dose by weight band (the
  label's table, e.g. IV ustekinumab, abatacept) is weight-based too: a weight that moves it
  into another band changes the dose, however small the change, so it needs the provider
  as well (issue 12 item 11).
* **Natalizumab (TOUCH).** Before every infusion the site completes the TOUCH Prescribing
  Program's Pre-infusion Patient Checklist: the patient is currently authorized in TOUCH,
  has been given the Medication Guide, and is asked about new or worsening symptoms,
  conditions that weaken the immune system, and immunosuppressant or anti-cancer
  medicines. Any "yes" means: do not infuse until the prescriber has been contacted and
  authorizes the infusion (Biogen, TYSABRI REMS / TOUCH Prescribing Program,
  "Pre-infusion Patient Checklist"; TYSABRI label, section 5.1 and the boxed warning).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

IDENTIFIERS: dict[str, str] = {
    "name": "Full name",
    "dob": "Date of birth",
    "mrn": "Medical record number",
    "photo_id": "Photo ID",
    "wristband": "Wristband / label",
}
WEIGHT_CHANGE_LIMIT_PERCENT = Decimal(10)
CONSENT_VALID_MONTHS = 12


def identity_confirmed(identifiers: Iterable[str]) -> bool:
    """True when at least two different recognised identifiers were checked."""
    return len({i for i in identifiers if i in IDENTIFIERS}) >= 2


def check_identifiers(identifiers: Iterable[str]) -> list[str]:
    """The identifiers as a sorted list; ValueError for an unknown one."""
    chosen = sorted(set(identifiers))
    unknown = [i for i in chosen if i not in IDENTIFIERS]
    if unknown:
        raise ValueError(f"unknown identifier(s): {', '.join(unknown)}")
    return chosen


# --- weight ---------------------------------------------------------------------------


def weight_change_percent(ordered_kg: Decimal, today_kg: Decimal) -> Decimal:
    """Signed change from the order's weight to today's, in percent (one decimal)."""
    for value, name in ((ordered_kg, "the order's weight"), (today_kg, "today's weight")):
        if isinstance(value, bool) or not isinstance(value, Decimal | int) or value <= 0:
            raise ValueError(f"{name} must be a positive number of kg, not {value!r}")
    change = (Decimal(today_kg) - Decimal(ordered_kg)) * 100 / Decimal(ordered_kg)
    return change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def weight_needs_provider(
    *,
    weight_based: bool,
    ordered_kg: Decimal | None,
    today_kg: Decimal | None,
    band_changed: bool = False,
) -> bool:
    """A weight-based dose whose weight moved by more than 10 %, or into another weight
    band, needs the provider's OK.

    Exactly 10 % does not (the rule says "more than"). Without an order weight or today's
    weight there is nothing to compare (the missing weight is its own step).
    """
    if not weight_based or ordered_kg is None or today_kg is None:
        return False
    if band_changed:
        return True
    return abs(weight_change_percent(ordered_kg, today_kg)) > WEIGHT_CHANGE_LIMIT_PERCENT


# --- consent --------------------------------------------------------------------------


def consent_expires_on(signed_on: dt.date) -> dt.date:
    """The day a consent lapses: one year after signature (29 Feb → 28 Feb)."""
    year = signed_on.year + CONSENT_VALID_MONTHS // 12
    last = calendar.monthrange(year, signed_on.month)[1]
    return signed_on.replace(year=year, day=min(signed_on.day, last))


def consent_problem(
    *,
    consent_drug: str | None,
    expires_on: dt.date | None,
    revoked: bool,
    visit_drug: str,
    on: dt.date,
) -> str:
    """Why the patient's latest consent does not cover this visit; "" when it does."""
    if consent_drug is None or expires_on is None:
        return f"No signed consent for {visit_drug} on file."
    if revoked:
        return "The patient withdrew consent; a new consent is needed."
    if consent_drug != visit_drug:
        return f"The consent on file is for {consent_drug}; today's drug is {visit_drug}."
    if expires_on <= on:
        return f"The consent for {visit_drug} lapsed on {expires_on:%m/%d/%Y}; renew it."
    return ""


# --- natalizumab: TOUCH pre-infusion checklist -------------------------------------------

# Paraphrased from the TOUCH Pre-infusion Patient Checklist (see module docstring); the
# first two must be "yes", the three patient questions "no", to infuse without a call.
TOUCH_CONFIRMATIONS: dict[str, str] = {
    "authorized": "Patient is currently authorized to receive natalizumab in TOUCH",
    "medication_guide": "Patient was given the Medication Guide before this infusion",
}
TOUCH_QUESTIONS: dict[str, str] = {
    "new_symptoms": "Over the past month, any new or worsening medical problem lasting several "
    "days (thinking, eyesight, balance, strength, speech)?",
    "weak_immunity": "A medical condition that weakens the immune system (HIV/AIDS, leukemia "
    "or lymphoma, organ transplant)?",
    "immunosuppressants": "In the past month, any medicine that weakens the immune system or "
    "treats cancer (immunosuppressants, chemotherapy)?",
}


@dataclass(frozen=True)
class ProgramDecision:
    complete: bool
    may_infuse: bool
    message: str


def touch_decision(answers: Mapping[str, str], prescriber_cleared: bool) -> ProgramDecision:
    """What the TOUCH checklist answers allow. Answers are ``"yes"`` or ``"no"`` by key."""
    for key, value in answers.items():
        if key not in TOUCH_CONFIRMATIONS and key not in TOUCH_QUESTIONS:
            raise ValueError(f"unknown TOUCH checklist item {key!r}")
        if value not in {"yes", "no"}:
            raise ValueError(f"answer {value!r} to {key!r} must be 'yes' or 'no'")
    wanted = [*TOUCH_CONFIRMATIONS, *TOUCH_QUESTIONS]
    if any(key not in answers for key in wanted):
        return ProgramDecision(False, False, "Complete the TOUCH pre-infusion checklist.")
    if any(answers[key] != "yes" for key in TOUCH_CONFIRMATIONS):
        return ProgramDecision(
            True,
            False,
            "STOP: the patient is not authorized in TOUCH or has no Medication "
            "Guide. Do not infuse; refer back to the prescriber.",
        )
    if any(answers[key] == "yes" for key in TOUCH_QUESTIONS) and not prescriber_cleared:
        return ProgramDecision(
            True,
            False,
            "A checklist answer is yes: do not infuse until the prescriber is "
            "contacted and authorizes this infusion.",
        )
    return ProgramDecision(True, True, "TOUCH checklist complete.")


# --- what is missing before signing --------------------------------------------------------


@dataclass(frozen=True)
class VisitState:
    """The documented facts of a visit that decide whether it can be signed.

    ``dose_held`` means the dose was not given today (with a reason): preparation and
    administration are then not required, the other checks still are.
    """

    identity_confirmed: bool = False
    consent_problem: str = "No signed consent on file."
    allergies_reviewed: bool = False
    # The chart holds the patient's allergies or "no known drug allergies": a review that
    # leaves the status unknown is not a completed allergy check.
    allergy_status_recorded: bool = True
    weight_recorded: bool = False
    weight_needs_provider: bool = False
    weight_band_changed: bool = False
    weight_confirmed: bool = False
    pre_vitals: bool = False
    labs_due: tuple[str, ...] = ()
    labs_cleared: bool = False
    program: ProgramDecision | None = None
    premeds_ordered: bool = False
    premeds_documented: bool = False
    dose_held: bool = False
    held_reason: str = ""
    prepared: bool = False
    preparation_checked: bool = False
    # The drug is marked for witnessed waste and opened vials leave something to discard.
    waste_witness_needed: bool = False
    waste_witnessed: bool = False
    administration_started: bool = False
    administration_stopped: bool = False
    open_reactions: int = 0
    discharge_vitals: bool = False
    discharged: bool = False
    observation_short_by_minutes: int = 0
    early_discharge_reason: str = ""
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)


STEPS: dict[str, str] = {
    "checks": "Check-in checks",
    "preparation": "Preparation",
    "administration": "Administration",
    "discharge": "Observation and discharge",
}


def missing_steps(state: VisitState) -> list[tuple[str, str]]:
    """Every required item still missing, as ``(step, message)``, in the order of the visit."""
    missing = _check_in_missing(state)
    if state.dose_held:
        if not state.held_reason.strip():
            missing.append(("checks", "Say why the dose was held."))
    else:
        missing.extend(_treatment_missing(state))
    missing.extend(_discharge_missing(state))
    missing.extend(state.extra)
    return missing


def _check_in_missing(state: VisitState) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if not state.identity_confirmed:
        found.append(("checks", "Confirm the patient's identity with two identifiers."))
    if state.consent_problem:
        found.append(("checks", state.consent_problem))
    if not state.allergies_reviewed:
        found.append(("checks", "Review the allergies with the patient."))
    elif not state.allergy_status_recorded:
        found.append(
            (
                "checks",
                "No allergy status on the chart: add the patient's allergies, "
                "or record that they report none (NKDA).",
            )
        )
    if not state.weight_recorded:
        found.append(("checks", "Record today's weight."))
    elif state.weight_needs_provider and not state.weight_confirmed:
        found.append(("checks", _weight_message(state)))
    if not state.pre_vitals:
        found.append(("checks", "Record pre-infusion vital signs."))
    if state.labs_due and not state.labs_cleared:
        found.append(("checks", "Labs due: " + "; ".join(state.labs_due) + "."))
    if state.program is not None and not state.dose_held and not state.program.may_infuse:
        found.append(("checks", state.program.message))
    if state.premeds_ordered and not state.premeds_documented and not state.dose_held:
        found.append(("checks", "Document the premedications given (or why not)."))
    return found


def _weight_message(state: VisitState) -> str:
    if state.weight_band_changed:
        return (
            "Today's weight puts the dose in another weight band: record the provider's "
            "dose confirmation."
        )
    return "Weight changed by more than 10 %: record the provider's dose confirmation."


def _treatment_missing(state: VisitState) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if not state.prepared:
        found.append(("preparation", "Prepare the dose from stock (vials, diluent, volume)."))
    elif not state.preparation_checked:
        found.append(("preparation", "A second person must check the preparation."))
    if state.prepared and state.waste_witness_needed and not state.waste_witnessed:
        found.append(("preparation", "A second person must witness the waste of the opened vials."))
    if not state.administration_started:
        found.append(("administration", "Record the administration start time."))
    elif not state.administration_stopped:
        found.append(("administration", "Record the administration stop time."))
    if state.open_reactions:
        found.append(("administration", "Record the outcome of every reaction."))
    return found


def _discharge_missing(state: VisitState) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if not state.discharge_vitals:
        found.append(("discharge", "Record discharge vital signs."))
    if not state.discharged:
        found.append(("discharge", "Record the discharge time and condition."))
    elif state.observation_short_by_minutes > 0 and not state.early_discharge_reason.strip():
        found.append(
            (
                "discharge",
                f"Observation ended {state.observation_short_by_minutes} min early: "
                "say why the patient left before the observation time.",
            )
        )
    return found
