"""What a home-infusion plan of care is missing, in sentences a nurse can act on.

The items are the ones the home-infusion accreditors and Medicare check on a plan of care:

* Social Security Act §1861(iii)(1) and 42 CFR 486.520 (Medicare home infusion therapy
  suppliers, "Plan of care"): the patient is under the care of a physician (or NP/PA), the
  plan is established by that practitioner, prescribes the type, amount and duration of
  the therapy, and is periodically reviewed by the practitioner.
* 42 CFR 486.525 ("Required services"): professional (nursing) services, patient training
  and education, and remote and other monitoring, available 7 days a week, 24 hours a day —
  hence a 24-hour phone number on the plan; CHAP Infusion Therapy Nursing standard ITNI.2
  ("24/7 Accessibility") says the same.
* ACHC Home Infusion Therapy accreditation (achc.org/home-infusion-therapy) surveys "the
  education, assessment, medication review, and development of the plan of care": training
  must end with a *documented competency demonstration* (return demonstration), not only
  "education given" — the most cited gap when a URAC-accredited pharmacy moves to ACHC.
* The Joint Commission home care standards: PC.01.03.01 (the organization plans the
  patient's care, with goals), PC.04.01.01 (plans for the patient's needs after discharge),
  and the medication-management requirement that the patient's allergies are known before
  a medication is dispensed or given.
* Monitoring labs: IDSA 2018 outpatient parenteral antimicrobial therapy (OPAT) guideline
  (Norris et al., Clin Infect Dis 2019;68:e1-e35) — weekly safety labs (CBC, chemistry) for
  IV antibiotics at home; ASHP/IDSA/PIDS/SIDP 2020 vancomycin consensus guideline —
  vancomycin levels (trough or AUC) with serum creatinine; ASPEN parenteral nutrition safety
  consensus (2014) — electrolytes, glucose and liver tests on a schedule for PN.
* Vascular access: INS Infusion Therapy Standards of Practice (9th ed., 2024) — the device
  type and its insertion date are documented so its dwell and site are assessed.

The anaphylaxis kit for immunoglobulin and IV antibiotics is Chairside policy, following the
hypersensitivity/anaphylaxis warnings in the FDA labels of the immune globulins and the
first-dose-at-home precautions of the OPAT guideline.

Pure: no Django imports. The homecare app builds ``PlanFacts`` from the database
(``homecare.selectors.plan_of_care_gaps``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

# Therapy types (the values of ``HomeInfusionOrder.TherapyType``).
IV_ANTIBIOTIC = "iv_antibiotic"
IVIG = "ivig"
SCIG = "scig"
HYDRATION = "hydration"
PARENTERAL_NUTRITION = "parenteral_nutrition"
INOTROPE = "inotrope"
PAIN_MANAGEMENT = "pain_management"
OTHER = "other"

# Access devices needing an insertion date (dwell and site assessment).
VASCULAR_DEVICES = frozenset({"picc", "port", "midline", "peripheral"})
PUMP_DEVICES = frozenset({"ambulatory_pump", "elastomeric", "sc_pump"})

# Teaching topics (the values of ``TeachingRecord.Topic``), in the order they are taught.
TEACHING_TOPICS: dict[str, str] = {
    "access_device_care": "access-device care",
    "pump_operation": "pump operation",
    "administration": "infusion administration",
    "infection_reaction": "signs of infection or reaction",
    "storage": "storage",
    "disposal": "disposal",
    "emergency_plan": "the emergency plan",
}

# Therapies whose plan must list monitoring labs, and what they are (sources above).
LABS_NEEDED: dict[str, str] = {
    IV_ANTIBIOTIC: "weekly CBC with differential and BMP (IDSA OPAT guideline)",
    PARENTERAL_NUTRITION: "electrolytes, glucose, BUN/creatinine and liver tests (ASPEN)",
    INOTROPE: "potassium, magnesium and renal function",
}
ANAPHYLAXIS_KIT_THERAPIES = frozenset({IV_ANTIBIOTIC, IVIG, SCIG})

SOURCES: dict[str, str] = {
    "signature": "42 CFR 486.520(b); SSA §1861(iii)(1)(B)",
    "review": "42 CFR 486.520(c)",
    "orders": "42 CFR 486.520(b)",
    "duration": "42 CFR 486.520(b)",
    "goals": "TJC PC.01.03.01; ACHC HIT plan of care",
    "allergies": "TJC medication management (allergies known before dispensing)",
    "access_device": "INS Infusion Therapy Standards of Practice",
    "pump": "ACHC HIT plan of care",
    "labs": "IDSA OPAT 2018; ASHP/IDSA vancomycin 2020; ASPEN PN 2014",
    "emergency_phone": "42 CFR 486.525; CHAP ITNI.2",
    "anaphylaxis_kit": "Chairside policy (FDA immune globulin labels; IDSA OPAT 2018)",
    "caregiver": "ACHC HIT plan of care (support system)",
    "teaching": "42 CFR 486.525(a)(2); ACHC HIT competency demonstration",
    "discharge": "TJC PC.04.01.01",
}


@dataclass(frozen=True)
class OrderFacts:
    """One home-infusion order on the plan's medication profile."""

    label: str
    therapy_type: str
    drug_name: str
    last_day: date | None
    access_device: str
    administration_device: str


@dataclass(frozen=True)
class PlanFacts:
    """What the rule needs of a plan of care (built from the database by the caller)."""

    signed_on: date | None
    review_due_on: date | None
    goals: str
    allergies: str
    no_known_allergies: bool
    access_device: str
    access_inserted_on: date | None
    pump: str
    monitoring_labs: Sequence[tuple[str, str]]
    emergency_phone: str
    anaphylaxis_kit: bool
    caregiver_name: str
    caregiver_relationship: str
    caregiver_phone: str
    discharge_plan: str
    orders: Sequence[OrderFacts] = ()
    competent_topics: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Gap:
    """One missing item: a stable code, the sentence shown, and its source."""

    code: str
    message: str
    source: str


def _gap(code: str, message: str) -> Gap:
    return Gap(code=code, message=message, source=SOURCES[code])


def _listed(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _labs_gaps(facts: PlanFacts) -> list[Gap]:
    gaps: list[Gap] = []
    labs = [(lab.strip(), freq.strip()) for lab, freq in facts.monitoring_labs if lab.strip()]
    needing = sorted({o.therapy_type for o in facts.orders if o.therapy_type in LABS_NEEDED})
    if needing and not labs:
        wanted = "; ".join(LABS_NEEDED[t] for t in needing)
        gaps.append(_gap("labs", f"No monitoring labs are listed: this therapy needs {wanted}."))
    without_frequency = [lab for lab, freq in labs if not freq]
    if without_frequency:
        gaps.append(
            _gap(
                "labs",
                f"Say how often to draw {_listed(without_frequency)} (e.g. weekly).",
            )
        )
    on_vancomycin = any("vancomycin" in o.drug_name.lower() for o in facts.orders)
    if on_vancomycin and not any("vancomycin" in lab.lower() for lab, _ in labs):
        gaps.append(
            _gap(
                "labs",
                "The patient is on vancomycin but the plan lists no vancomycin level "
                "(trough or AUC) with serum creatinine.",
            )
        )
    return gaps


def _device_gaps(facts: PlanFacts) -> list[Gap]:
    gaps: list[Gap] = []
    vascular = any(o.access_device in VASCULAR_DEVICES for o in facts.orders)
    if not facts.access_device:
        if vascular or not facts.orders:
            gaps.append(
                _gap("access_device", "The access device (PICC, port, midline …) is not recorded.")
            )
    elif facts.access_device in VASCULAR_DEVICES and facts.access_inserted_on is None:
        gaps.append(
            _gap(
                "access_device",
                "The access device's insertion date is missing: the nurse needs it to assess "
                "the site and the dwell time.",
            )
        )
    pumped = any(o.administration_device in PUMP_DEVICES for o in facts.orders)
    if pumped and not facts.pump.strip():
        gaps.append(_gap("pump", "The therapy runs on a pump but the plan does not name the pump."))
    return gaps


def _order_gaps(facts: PlanFacts) -> list[Gap]:
    if not facts.orders:
        return [
            _gap(
                "orders",
                "The medication profile is empty: add the patient's active home-infusion orders.",
            )
        ]
    open_ended = [o.label for o in facts.orders if o.last_day is None]
    if open_ended:
        return [
            _gap(
                "duration",
                f"No stop date or duration for {_listed(open_ended)}: the plan must prescribe "
                "how long the therapy runs.",
            )
        ]
    return []


def _emergency_gaps(facts: PlanFacts) -> list[Gap]:
    gaps: list[Gap] = []
    if not facts.emergency_phone.strip():
        gaps.append(
            _gap(
                "emergency_phone",
                "The emergency plan has no 24-hour pharmacy/nurse phone number.",
            )
        )
    kit_for = sorted({o.label for o in facts.orders if o.therapy_type in ANAPHYLAXIS_KIT_THERAPIES})
    if kit_for and not facts.anaphylaxis_kit:
        gaps.append(
            _gap(
                "anaphylaxis_kit",
                f"No anaphylaxis kit is in the home for {_listed(kit_for)}.",
            )
        )
    return gaps


def _caregiver_gaps(facts: PlanFacts) -> list[Gap]:
    if not facts.caregiver_name.strip():
        return [
            _gap(
                "caregiver",
                "No caregiver is named (write “none — patient self-administers” if so).",
            )
        ]
    if facts.caregiver_name.strip().lower().startswith("none"):
        return []
    missing = [
        what
        for what, value in (
            ("relationship", facts.caregiver_relationship),
            ("phone number", facts.caregiver_phone),
        )
        if not value.strip()
    ]
    if missing:
        return [_gap("caregiver", f"The caregiver's {_listed(missing)} is missing.")]
    return []


def _teaching_gaps(facts: PlanFacts) -> list[Gap]:
    untaught = [
        label for key, label in TEACHING_TOPICS.items() if key not in facts.competent_topics
    ]
    if not untaught:
        return []
    if len(untaught) == len(TEACHING_TOPICS):
        return [
            _gap(
                "teaching",
                "No teaching with a demonstrated competency is documented for the patient "
                "or caregiver.",
            )
        ]
    return [
        _gap(
            "teaching",
            f"Competency is not yet demonstrated for {_listed(untaught)}.",
        )
    ]


def missing_items(facts: PlanFacts, today: date) -> list[Gap]:
    """Every missing item of the plan, most cited first; empty when the plan is complete."""
    gaps: list[Gap] = []
    if facts.signed_on is None:
        gaps.append(_gap("signature", "The physician has not signed the plan of care."))
    if facts.review_due_on is None:
        gaps.append(
            _gap("review", "No review date is set: the physician reviews the plan periodically.")
        )
    elif facts.review_due_on < today:
        gaps.append(
            _gap(
                "review",
                f"The plan's review was due {facts.review_due_on:%m/%d/%Y} and is overdue.",
            )
        )
    gaps.extend(_order_gaps(facts))
    if not facts.goals.strip():
        gaps.append(_gap("goals", "The plan states no goals of the therapy."))
    if not facts.allergies.strip() and not facts.no_known_allergies:
        gaps.append(
            _gap(
                "allergies",
                "Allergies are not documented: record them, or “no known drug allergies”, in "
                "the chart.",
            )
        )
    gaps.extend(_device_gaps(facts))
    gaps.extend(_labs_gaps(facts))
    gaps.extend(_emergency_gaps(facts))
    gaps.extend(_caregiver_gaps(facts))
    gaps.extend(_teaching_gaps(facts))
    if not facts.discharge_plan.strip():
        gaps.append(_gap("discharge", "The plan does not say when and how home therapy ends."))
    return gaps
