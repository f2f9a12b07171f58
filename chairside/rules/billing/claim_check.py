"""The pre-submission check ("claim scrubber"): every missing or inconsistent item, named.

A claim is submitted only when this list is empty. Each problem says what is wrong and
where to fix it, in words a biller or coordinator understands. What is checked, and why:

* NPIs (rendering, referring, supervising, billing provider) are 10 digits with a valid
  check digit (CMS NPI standard; 837P NM109 with qualifier XX). The rendering and billing
  provider NPIs are required on every professional claim; the referring provider is
  required for drugs and infusions ordered by another physician, and the infusion center
  always works from an order (837P loop 2310A is required "when this claim involves
  services resulting from a referral"; Medicare requires the ordering/referring NPI,
  Pub. 100-04 ch. 26 item 17).
* At least one diagnosis, each shaped like an ICD-10-CM code (837P HI; 1500 item 21) and
  complete: a category with children is not billable (ICD-10-CM Guidelines I.B.3).
* The payer's prior authorization number when the payer requires one for the drug
  (837P REF*G1, 1500 item 23).
* An NDC on every drug line (N4 qualifier; required by Medicaid under the Deficit
  Reduction Act of 2005 and by most commercial payers for physician-administered drugs).
* The subscriber's member ID and the payer's electronic payer ID (837P NM109 of 2010BA,
  2010BB), the patient's birth date, sex and address (2010BA/2010CA DMG, N3, N4).
* No placeholder identifiers (``rules.common.identifiers``): an EIN of zeros, one repeated digit,
  123456789 or a prefix the IRS never assigns; an NPI that is the CMS example, zeros or one
  repeated digit.
* The billing provider's tax ID (9-digit EIN) and a 9-digit ZIP code (837P 2010AA: "the
  full nine-digit ZIP code is required").
* A charge on every line, and for a secondary claim the primary payer's adjudication.
* A replacement (CLM05-3 = 7) or void (8) names the claim it corrects by the payer's claim
  number (837P loop 2300 REF*F8 "Payer Claim Control Number", required when CLM05-3 is 7
  or 8; NUCC 1500 item 22 "Original Ref. No.").
* Units above the CMS practitioner medically unlikely edit (MUE) for the code: the claim
  line would be denied (MUEs are adjudicated per line, CMS "Medically Unlikely Edits"), so
  it is named, unless the biller recorded why the units are medically necessary (an
  override note, e.g. for an appeal with records).
* Home infusion (:class:`HomeInfusionCheck`, ``rules.billing.home_infusion_billing``): the signed
  plan of care (home infusion therapy is furnished "under a plan ... established and
  periodically reviewed by a physician", SSA §1861(iii)(1)(B); payers' home infusion
  policies require the signed order); a signed home visit for every day billed with a
  nursing code (99601/99602) or a Medicare HIT G-code; proof of delivery for the supplies
  behind every per diem day (the per diem covers supplies and equipment delivered to the
  home; DME MAC proof-of-delivery documentation, CMS Program Integrity Manual ch. 4
  §4.26); for Medicare HIT the external infusion pump (DME) and the 60-day initial-visit
  rule (Medicare Benefit Policy Manual ch. 15 §320.8.3).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from chairside.rules.billing.charges import ClaimLine, EncounterFacts, Person, Provider
from chairside.rules.billing.home_infusion_billing import (
    hit_initial_allowed,
    outside_history_blocks_initial,
    outside_history_note,
)
from chairside.rules.billing.hospital_outpatient import (
    DEPARTMENT_MODIFIERS,
    INSTITUTIONAL,
    attending_provider,
    professional_claim_problem,
)
from chairside.rules.clinical.icd10 import billable_children, normalize_icd10
from chairside.rules.common.identifiers import ein_problem, npi_problem

_ZIP9 = re.compile(r"^[0-9]{9}$")
_ZIP = re.compile(r"^[0-9]{5}([0-9]{4})?$")


@dataclass(frozen=True)
class Problem:
    """One thing that blocks submission: a short ``code`` for tests and the words to show."""

    code: str
    message: str


@dataclass(frozen=True)
class BillingProviderFacts:
    """The organization that bills (837P loop 2010AA)."""

    name: str
    npi: str
    tax_id: str
    address_line1: str
    city: str
    state: str
    postal_code: str


@dataclass(frozen=True)
class CheckInput:
    """What the check needs to know about one claim (one encounter, one payer).

    ``coverage_index`` picks the payer in ``facts.coverages`` (0 primary, 1 secondary);
    ``charges`` holds the charge of each line in ``lines`` (``None``: no price on file);
    ``authorization_required`` says whether this payer requires prior authorization for
    the drugs on the claim; ``prior_payer_adjudicated`` whether the payers before this one
    have paid or denied it (a secondary claim carries the primary's payment).
    """

    facts: EncounterFacts
    coverage_index: int
    lines: Sequence[ClaimLine]
    charges: Sequence[Decimal | None]
    billing_provider: BillingProviderFacts
    authorization_required: bool = False
    prior_payer_adjudicated: bool = True
    today: dt.date | None = None
    frequency_code: str = "1"
    original_reference: str = ""
    mue_limits: Mapping[str, int] = field(default_factory=dict)
    mue_source: str = ""
    mue_override_note: str = ""
    known_icd10: Sequence[str] = ()
    # "837P" professional or "837I" institutional (rules.hospital_outpatient); for an 837I,
    # ``revenue_codes`` holds each line's UB-04 revenue code ("" when none could be set) and
    # ``department_modifier_required`` says the site is an off-campus hospital department.
    claim_form: str = "837P"
    revenue_codes: Sequence[str] = ()
    off_campus_department: bool = False
    # A home infusion claim (place of service 12 or a suite): the documentation facts.
    home_infusion: HomeInfusionCheck | None = None


@dataclass(frozen=True)
class HomeInfusionCheck:
    """What the home infusion records say about the claim's days (read when checking).

    ``plan_signed_on`` is the plan of care's signed date (None: unsigned or none);
    ``signed_visit_days`` the days with a signed (documented) home nursing visit;
    ``undelivered_days`` the per diem days whose supplies' delivery ticket has no proof of
    delivery, each with that delivery's date; ``payer_category`` commercial, medicaid or
    medicare_b; for Medicare HIT, ``via_dme_pump`` and the supplier's last HIT G-code
    before this claim (``last_hit_visit``, with ``discharged_since``), and the patient's last
    HIT visit by another supplier as the intake recorded it (``outside_last_visit``, by
    ``outside_supplier``): the 60-day gap of §320.8.3 is in the patient's whole history.
    """

    payer_category: str
    plan_signed_on: dt.date | None
    signed_visit_days: frozenset[dt.date]
    undelivered_days: Mapping[dt.date, dt.date] = field(default_factory=dict)
    via_dme_pump: bool = False
    last_hit_visit: dt.date | None = None
    discharged_since: bool = False
    outside_last_visit: dt.date | None = None
    outside_supplier: str = ""


def check_claim(data: CheckInput) -> list[Problem]:
    """Return every problem that blocks submitting this claim; an empty list means ready."""
    if len(data.charges) != len(data.lines):
        raise ValueError("charges must give one amount (or None) per line")
    problems: list[Problem] = []
    problems += _check_payer(data)
    problems += _check_patient(data.facts.patient)
    problems += _check_providers(data)
    problems += _check_diagnoses(data.facts, data.known_icd10)
    problems += _check_lines(data)
    problems += _check_frequency(data)
    problems += _check_mue(data)
    problems += _check_claim_form(data)
    if data.home_infusion is not None:
        problems += check_home_infusion(data.lines, data.home_infusion)
    if data.authorization_required and not data.facts.prior_authorization.strip():
        payer = _payer_name(data)
        problems.append(
            Problem(
                "authorization",
                f"{payer} requires a prior authorization number for this drug; "
                "none is recorded for the visit.",
            )
        )
    if data.today is not None and data.facts.date_of_service > data.today:
        problems.append(
            Problem(
                "date",
                f"The date of service {data.facts.date_of_service:%m/%d/%Y} is in the future.",
            )
        )
    return problems


def _payer_name(data: CheckInput) -> str:
    coverages = data.facts.coverages
    if 0 <= data.coverage_index < len(coverages):
        return coverages[data.coverage_index].payer_name or "The payer"
    return "The payer"


def _check_payer(data: CheckInput) -> list[Problem]:
    coverages = data.facts.coverages
    if not 0 <= data.coverage_index < len(coverages):
        return [Problem("coverage", "The patient has no insurance coverage for this claim.")]
    coverage = coverages[data.coverage_index]
    problems: list[Problem] = []
    if not coverage.payer_id.strip():
        problems.append(
            Problem(
                "payer_id",
                f"{coverage.payer_name} has no electronic payer ID (set it on the payer).",
            )
        )
    if not coverage.member_id.strip():
        problems.append(
            Problem("member_id", f"The member ID for {coverage.payer_name} is missing.")
        )
    if coverage.relationship != "self":
        subscriber = coverage.subscriber
        if subscriber is None or not subscriber.last_name.strip():
            problems.append(
                Problem(
                    "subscriber",
                    f"The subscriber's name for {coverage.payer_name} is "
                    "missing (the patient is not the subscriber).",
                )
            )
    if data.coverage_index > 0 and not data.prior_payer_adjudicated:
        problems.append(
            Problem(
                "prior_payer",
                "The primary payer's payment is not posted yet; a secondary claim carries it.",
            )
        )
    return problems


def _check_patient(patient: Person) -> list[Problem]:
    problems: list[Problem] = []
    if not patient.last_name.strip() or not patient.first_name.strip():
        problems.append(Problem("patient_name", "The patient's first and last name are needed."))
    if patient.date_of_birth is None:
        problems.append(Problem("patient_dob", "The patient's date of birth is missing."))
    if patient.sex not in {"F", "M", "U"}:
        problems.append(Problem("patient_sex", "The patient's sex must be F, M or U."))
    missing = [
        label
        for label, value in (
            ("street", patient.address_line1),
            ("city", patient.city),
            ("state", patient.state),
        )
        if not value.strip()
    ]
    if not _ZIP.match(patient.postal_code.replace("-", "").strip()):
        missing.append("ZIP code")
    if missing:
        problems.append(
            Problem(
                "patient_address", f"The patient's address is incomplete: {', '.join(missing)}."
            )
        )
    return problems


def _npi_problem(role: str, provider: Provider | None, required: bool) -> list[Problem]:
    code = f"{role.split(maxsplit=1)[0]}_npi"
    if provider is None or not provider.npi.strip():
        if required:
            return [Problem(code, f"The {role} NPI is missing.")]
        return []
    problem = npi_problem(provider.npi)
    if problem is not None:
        return [Problem(code, f"The {role} NPI {provider.npi.strip()} {problem}.")]
    if not provider.last_name.strip():
        return [Problem(code, f"The {role}'s name is missing.")]
    return []


def _check_providers(data: CheckInput) -> list[Problem]:
    facts = data.facts
    billing = data.billing_provider
    if data.claim_form == INSTITUTIONAL:
        # 837I 2310A attending provider (UB-04 FL 76), required on outpatient claims; the
        # 837I has no claim-level rendering provider for these services.
        problems = _npi_problem("attending provider", attending_provider(facts), required=True)
    else:
        problems = _npi_problem("rendering provider", facts.rendering_provider, required=True)
    problems += _npi_problem("referring provider", facts.referring_provider, required=True)
    problems += _npi_problem("supervising provider", facts.supervising_provider, required=False)
    if not billing.npi.strip():
        problems.append(
            Problem(
                "billing_npi", "The billing provider (group) NPI is missing (Billing settings)."
            )
        )
    elif (problem := npi_problem(billing.npi)) is not None:
        problems.append(
            Problem(
                "billing_npi",
                f"The billing provider NPI {billing.npi.strip()} {problem} (Billing settings).",
            )
        )
    if (problem := ein_problem(billing.tax_id)) is not None:
        problems.append(
            Problem("tax_id", f"The billing provider's tax ID {problem} (Billing settings).")
        )
    if not (billing.address_line1.strip() and billing.city.strip() and billing.state.strip()):
        problems.append(
            Problem(
                "billing_address",
                "The billing provider's street address, city "
                "and state are needed (Billing settings).",
            )
        )
    if not _ZIP9.match(billing.postal_code.replace("-", "").strip()):
        problems.append(
            Problem(
                "billing_zip",
                "The billing provider's ZIP code must have 9 "
                "digits (ZIP+4) on an electronic claim (Billing settings).",
            )
        )
    return problems


def _check_diagnoses(facts: EncounterFacts, known: Sequence[str] = ()) -> list[Problem]:
    codes = [code for code in facts.diagnoses if code.strip()]
    if not codes:
        return [
            Problem("diagnosis", "No diagnosis: add the ICD-10-CM code of the treatment order.")
        ]
    problems: list[Problem] = []
    for code in codes:
        try:
            normal = normalize_icd10(code)
        except ValueError:
            problems.append(Problem("diagnosis", f"Diagnosis {code!r} is not an ICD-10-CM code."))
            continue
        children = billable_children(normal, tuple(known))
        if children:
            problems.append(
                Problem(
                    "diagnosis",
                    f"Diagnosis {normal} is a category, not a billable code: change it on the "
                    f"patient's diagnoses to one of {', '.join(children)}.",
                )
            )
    return problems


def _check_lines(data: CheckInput) -> list[Problem]:
    if not data.lines:
        return [Problem("lines", "The claim has no billable lines.")]
    problems: list[Problem] = []
    unpriced: list[str] = []
    for line, charge in zip(data.lines, data.charges, strict=True):
        if line.kind == "drug" and line.ndc is None:
            problems.append(
                Problem(
                    "ndc",
                    f"The NDC is missing for {line.description} ({line.code}"
                    f"{'-' + line.modifier_text if line.modifiers else ''}).",
                )
            )
        if charge is None or charge <= 0:
            unpriced.append(line.code)
        if line.units < 1:
            problems.append(Problem("units", f"Line {line.code} has no billable units."))
    if unpriced:
        codes = ", ".join(dict.fromkeys(unpriced))
        problems.append(Problem("charge", f"No charge price in the charge master for {codes}."))
    return problems


def _check_claim_form(data: CheckInput) -> list[Problem]:
    """The professional claim never carries a hospital department's drug or administration;
    the institutional claim needs a revenue code on every line (UB-04 FL 42, 837I SV201)
    and, off campus, PO or PN on every line (CMS Pub. 100-04 ch. 4 §20.6.11-12)."""
    if data.claim_form != INSTITUTIONAL:
        reason = professional_claim_problem(data.lines)
        return [Problem("claim_form", reason)] if reason else []
    problems: list[Problem] = []
    codes = list(data.revenue_codes) + [""] * (len(data.lines) - len(data.revenue_codes))
    for line, code in zip(data.lines, codes, strict=False):
        if not code.strip():
            problems.append(
                Problem(
                    "revenue_code",
                    f"No revenue code for {line.code} ({line.description}): set the revenue "
                    "code of the code in the charge master.",
                )
            )
    department = set(DEPARTMENT_MODIFIERS.values())
    if data.off_campus_department and any(not department & set(x.modifiers) for x in data.lines):
        problems.append(
            Problem(
                "department_modifier",
                "This off-campus hospital department's lines need modifier PO (excepted) or PN "
                "(non-excepted): set which on the location, then amend the visit so its "
                "charges are derived again.",
            )
        )
    return problems


FREQUENCY_CODES = {"1": "original", "7": "replacement", "8": "void"}


def _check_frequency(data: CheckInput) -> list[Problem]:
    if data.frequency_code not in FREQUENCY_CODES:
        raise ValueError(f"claim frequency {data.frequency_code!r} must be 1, 7 or 8")
    if data.frequency_code != "1" and not data.original_reference.strip():
        kind = FREQUENCY_CODES[data.frequency_code]
        return [
            Problem(
                "original_claim",
                f"A {kind} claim needs the payer's claim number of the claim it corrects "
                "(REF*F8); none was recorded from the payer's remittance or acknowledgment.",
            )
        ]
    return []


def mue_excess(lines: Sequence[ClaimLine], limits: Mapping[str, int]) -> list[tuple[str, int, int]]:
    """``(code, units on the line, MUE)`` for each line whose units pass the code's MUE.

    MUEs are adjudicated per claim line (CMS MUE program; MAI 1 line edits) and, for MAI 2/3,
    per date of service; a claim holds one date of service, so the units of a code are
    summed over its lines (a JW line counts: its units are billed units of the code)."""
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.code] = totals.get(line.code, 0) + line.units
    return [
        (code, units, limits[code])
        for code, units in totals.items()
        if code in limits and units > limits[code]
    ]


def _check_mue(data: CheckInput) -> list[Problem]:
    if data.mue_override_note.strip():
        return []
    source = f" ({data.mue_source})" if data.mue_source else ""
    return [
        Problem(
            "mue",
            f"{code} is billed for {units} units, above the CMS practitioner MUE of {limit}"
            f"{source}: the payer will deny the line. Check the units, or record why they are "
            "medically necessary (MUE override note on the claim).",
        )
        for code, units, limit in mue_excess(data.lines, data.mue_limits)
    ]


_NURSING_CODES = frozenset({"99601", "99602"})
_HIT_SUBSEQUENT = frozenset({"G0068", "G0069", "G0070"})
_HIT_INITIAL = frozenset({"G0088", "G0089", "G0090"})


def check_home_infusion(lines: Sequence[ClaimLine], home: HomeInfusionCheck) -> list[Problem]:
    """What a home infusion claim lacks: plan of care, visit notes, delivery proof, and for
    Medicare HIT the DME pump and the 60-day initial-visit rule."""
    problems: list[Problem] = []
    if home.plan_signed_on is None:
        problems.append(
            Problem(
                "plan_of_care",
                "The plan of care has no signed date: home infusion is billed only under a "
                "plan of care signed by the ordering physician.",
            )
        )
    visit_days = sorted(
        {
            x.date_of_service
            for x in lines
            if x.code in _NURSING_CODES | _HIT_SUBSEQUENT | _HIT_INITIAL
        }
        - home.signed_visit_days
    )
    if visit_days:
        listed = ", ".join(f"{d:%m/%d/%Y}" for d in visit_days)
        problems.append(
            Problem(
                "home_visit_note",
                f"No signed home visit for the nursing billed on {listed}: sign the visit "
                "note or take the nursing line off.",
            )
        )
    per_diem = sorted(
        {x.date_of_service for x in lines if x.code.startswith("S")} & set(home.undelivered_days)
    )
    for delivered in sorted({home.undelivered_days[d] for d in per_diem}):
        days = [d for d in per_diem if home.undelivered_days[d] == delivered]
        problems.append(
            Problem(
                "delivery_proof",
                f"The delivery of {delivered:%m/%d/%Y} has no proof of delivery; it supplies "
                f"the per diem billed for {', '.join(f'{d:%m/%d}' for d in days)}. Record "
                "who received it and their signature on the delivery ticket.",
            )
        )
    problems += _check_hit(lines, home)
    return problems


def _check_hit(lines: Sequence[ClaimLine], home: HomeInfusionCheck) -> list[Problem]:
    hit = sorted(
        (x for x in lines if x.code in _HIT_SUBSEQUENT | _HIT_INITIAL),
        key=lambda x: x.date_of_service,
    )
    if home.payer_category != "medicare_b" or not hit:
        return []
    problems: list[Problem] = []
    if not home.via_dme_pump:
        problems.append(
            Problem(
                "hit_pump",
                "Medicare pays home infusion therapy services only for a drug given through "
                "an external infusion pump billed as DME; the order records no DME pump.",
            )
        )
    initial = [x for x in hit if x.code in _HIT_INITIAL]
    if len(initial) > 1:
        problems.append(Problem("hit_initial", "More than one initial-visit G-code on the claim."))
    if initial:
        first = initial[0].date_of_service
        earlier = [x for x in hit if x.date_of_service < first]
        last = earlier[-1].date_of_service if earlier else home.last_hit_visit
        discharged = home.discharged_since and not earlier
        outside = home.outside_last_visit
        if not earlier and outside_history_blocks_initial(first, outside) and outside:
            days = (first - outside).days
            problems.append(
                Problem(
                    "hit_initial",
                    f"The initial-visit code on {first:%m/%d/%Y} cannot be billed: the "
                    "patient's history shows a home infusion therapy visit by "
                    f"{home.outside_supplier or 'another supplier'} on {outside:%m/%d/%Y}, "
                    f"{days} day{'s' if days != 1 else ''} earlier; the initial visit needs a "
                    "gap of more than 60 days (Medicare Benefit Policy Manual ch. 15 "
                    "§320.8.3). Bill the subsequent-visit code.",
                )
            )
        elif not hit_initial_allowed(first, last, discharged):
            problems.append(
                Problem(
                    "hit_initial",
                    f"The initial-visit code on {first:%m/%d/%Y} needs more than 60 days since "
                    f"the last HIT visit ({last:%m/%d/%Y}) and a discharge in between; "
                    "bill the subsequent-visit code.",
                )
            )
    return problems


def hit_notes(lines: Sequence[ClaimLine], home: HomeInfusionCheck) -> list[str]:
    """What the claim shows beside the check, never blocking it: the first HIT visit day
    billed with the subsequent-visit code because of another supplier's history (the
    pharmacy's own history alone would have allowed the initial code)."""
    hit = sorted(
        (x for x in lines if x.code in _HIT_SUBSEQUENT | _HIT_INITIAL),
        key=lambda x: x.date_of_service,
    )
    outside = home.outside_last_visit
    if home.payer_category != "medicare_b" or not hit or outside is None:
        return []
    first = hit[0]
    if first.code not in _HIT_SUBSEQUENT:
        return []
    day = first.date_of_service
    if not outside_history_blocks_initial(day, outside):
        return []
    if not hit_initial_allowed(day, home.last_hit_visit, home.discharged_since):
        return []  # subsequent by the pharmacy's own history anyway
    return [outside_history_note(day, first.code, outside, home.outside_supplier)]
