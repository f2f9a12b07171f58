"""Charge capture: from the facts of one documented encounter to its claim lines.

This module is the seam between the visit (``chairside.treatments``) and billing
(``chairside.billing``). The visit module turns a signed visit into an :class:`EncounterFacts`
(``chairside.treatments.services.visit_encounter_facts(visit)``) and calls
``chairside.billing.services.charges_derive_for_visit(visit=..., user=...)``, which calls
:func:`derive_claim_lines`. Nothing here knows about Django; the facts are plain, frozen,
and can be written to and read back from JSON (:func:`facts_to_dict`, :func:`facts_from_dict`)
so that billing keeps the exact facts each set of lines was derived from.

What a line carries and where it goes on the claim (ASC X12 005010X222A1 837P; NUCC
1500 Claim Form Reference Instruction Manual):

* administration lines: the CPT codes and units of
  :func:`rules.billing.admin_codes.administration_codes` (SV101-2, SV104; 1500 item 24D, 24G);
* drug lines: the HCPCS code with units = administered mg / billing unit rounded up, and
  the discarded amount of single-dose containers on its own line with modifier JW, or JZ on the only
  line when nothing billable was discarded (:func:`rules.billing.drug_units.drug_billing_lines`; CMS
  "Medicare Program Discarded Drugs and Biologicals - JW Modifier and JZ Modifier Policy FAQs").
  JW/JZ apply to single-dose containers only, so a multiple-dose container gets neither. A drug the
  patient's specialty pharmacy supplied ("white bagging") was not bought by the center and is never
  billed as its drug: only its administration is billed (CMS Pub. 100-04 ch. 17 §40: the supplier
  bills the drug it furnished);
* the NDC of the drug (loop 2410 LIN03, CTP04, CTP05-1; 1500 item 24 shaded area) as the
  N4 string of :func:`rules.inventory.ndc.claim_ndc`; a lone line (JZ) carries the NDC quantity of
  all the containers opened, and with a JW line the quantity is split between the administered and
  the discarded line in proportion to the milligrams;
* up to four diagnosis pointers per line (SV107-1..4, 1500 item 24E) into the claim's
  diagnoses, of which the 837P carries at most twelve (HI segment, 1500 item 21 A-L);
* the place of service (SV105 / CLM05-1, 1500 item 24B) and the date of service (DTP*472,
  1500 item 24A).

Which items are *missing* (an NPI, a diagnosis, an NDC, an authorization number the payer
requires) is not an error here: lines are derived from whatever was documented and the
billing pre-submission check names every gap. Malformed values (a bad HCPCS code, a
negative dose, an unknown unit qualifier) raise ValueError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chairside.rules.billing.admin_codes import Administration, administration_lines
from chairside.rules.billing.drug_units import JW, JZ, drug_billing_lines
from chairside.rules.billing.place_of_service import setting_for_place_of_service
from chairside.rules.inventory.ndc import UNIT_QUALIFIERS, claim_ndc, to_ndc11

MAX_CLAIM_DIAGNOSES = 12  # 837P HI segment / CMS-1500 item 21 A-L
MAX_LINE_POINTERS = 4  # 837P SV107-1..4 / CMS-1500 item 24E
SEQUENCES = ("P", "S", "T")  # 837P SBR01: primary, secondary, tertiary
RELATIONSHIPS = frozenset({"self", "spouse", "child", "other"})
_NDC_QUANTITY_STEP = Decimal("0.001")

# Short descriptors shown beside administration codes (CPT short forms; the AMA owns CPT).
ADMIN_CODE_NAMES: dict[str, str] = {
    "96360": "Hydration IV infusion, initial",
    "96361": "Hydration IV infusion, each additional hour",
    "96365": "Therapeutic IV infusion, initial, up to 1 hour",
    "96366": "Therapeutic IV infusion, each additional hour",
    "96367": "Therapeutic IV infusion, sequential new drug",
    "96368": "Therapeutic IV infusion, concurrent",
    "96372": "Therapeutic injection, SC/IM",
    "96374": "Therapeutic IV push, initial",
    "96375": "Therapeutic IV push, each new drug",
    "96376": "Therapeutic IV push, same drug (facility)",
    "96401": "Chemo/complex injection, non-hormonal, SC/IM",
    "96402": "Chemo/complex injection, hormonal, SC/IM",
    "96409": "Chemo/complex IV push, initial",
    "96411": "Chemo/complex IV push, each additional drug",
    "96413": "Chemo/complex IV infusion, initial, up to 1 hour",
    "96415": "Chemo/complex IV infusion, each additional hour",
    "96417": "Chemo/complex IV infusion, sequential new drug",
    "96549": "Unlisted chemotherapy procedure (concurrent chemo)",
}


# --- the facts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A patient or subscriber as the claim names them (837P NM1/DMG/N3/N4 of 2010BA/2010CA).

    ``sex`` is ``"F"``, ``"M"`` or ``"U"``; ``state`` the two-letter USPS code.
    """

    last_name: str
    first_name: str
    date_of_birth: dt.date | None
    sex: str
    middle_name: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class CoverageFacts:
    """One coverage in the order of benefits (837P loop 2000B SBR, 2010BA, 2010BB).

    ``payer_ref`` is the billing system's key of the payer (Chairside: the ``Payer``'s
    ``public_id`` as text), ``payer_id`` the electronic payer ID printed on the 837P,
    ``relationship`` the patient's relationship to the subscriber (``self``, ``spouse``,
    ``child`` or ``other``); ``subscriber`` is ``None`` when the patient is the subscriber.
    """

    payer_ref: str
    payer_name: str
    payer_id: str
    member_id: str
    group_number: str = ""
    plan_name: str = ""
    relationship: str = "self"
    subscriber: Person | None = None


@dataclass(frozen=True)
class Provider:
    """A rendering, supervising or referring provider (837P loops 2310A/B/D). NPI may be
    blank when it was not documented: the billing check names it."""

    npi: str
    last_name: str
    first_name: str = ""
    credential: str = ""


@dataclass(frozen=True)
class DrugGiven:
    """One drug given at the encounter, as the chair-side record documents it.

    ``hcpcs`` and ``billing_unit_mg`` come from the formulary (J1745, 10 mg);
    ``dose_mg`` is the amount administered and ``opened_mg`` the labelled amount of every
    container opened for it (equal to ``dose_mg`` when nothing was left). ``ndc11`` is the
    NDC of the containers used (blank when not recorded: the check names it);
    ``ndc_quantity`` with ``ndc_unit`` (UN, ML, GR, F2, ME) is the NDC quantity of all the
    containers opened, e.g. 4 UN for four vials (for a multiple-dose container, the
    quantity drawn). ``center_supplied`` is False for a drug the
    patient's specialty pharmacy supplied (white bagging): no drug line, only its
    administration. ``single_dose`` is False for a multiple-dose container (no JW/JZ).
    ``diagnoses`` lists the encounter diagnoses (ICD-10-CM, as in
    :attr:`EncounterFacts.diagnoses`) this drug treats; empty means the first ones.
    ``drug_key`` is the formulary key, so billing can price the line and cost the drug.
    """

    drug_name: str
    hcpcs: str
    billing_unit_mg: Decimal
    dose_mg: Decimal
    opened_mg: Decimal
    ndc11: str = ""
    ndc_quantity: Decimal = Decimal(0)
    ndc_unit: str = "UN"
    center_supplied: bool = True
    single_dose: bool = True
    diagnoses: tuple[str, ...] = ()
    drug_key: str = ""


@dataclass(frozen=True)
class EncounterFacts:
    """Everything a claim needs to know about one documented encounter (visit).

    ``encounter_ref`` is the visit's key (Chairside: ``Visit.public_id`` as text),
    ``place_of_service`` the CMS code of the location (11 office, 19/22 hospital outpatient,
    49 independent clinic), ``diagnoses`` the ICD-10-CM codes in the order the claim lists
    them (from the treatment order; first is the primary), ``coverages`` in the order of
    benefits (primary first). ``prior_authorization`` is the payer's authorization number
    when there is one. ``account_number`` is the patient's account (MRN) for CLM01 context.
    ``setting`` is the CPT administration setting of the site's claim type (``"office"``
    for professional claims, ``"facility"`` for a hospital outpatient department); empty
    means the one of the place of service. ``second_site`` holds the administrations given
    through a separate vascular access site documented as required (coded with their own
    initial service, modifier XU).
    """

    encounter_ref: str
    date_of_service: dt.date
    place_of_service: str
    patient: Person
    account_number: str
    coverages: tuple[CoverageFacts, ...]
    diagnoses: tuple[str, ...]
    rendering_provider: Provider | None
    referring_provider: Provider | None
    administrations: tuple[Administration, ...]
    drugs: tuple[DrugGiven, ...]
    supervising_provider: Provider | None = None
    prior_authorization: str = ""
    setting: str = ""
    second_site: tuple[Administration, ...] = ()

    @property
    def administration_setting(self) -> str:
        return self.setting or setting_for_place_of_service(self.place_of_service)


# --- the derived lines ----------------------------------------------------------------


@dataclass(frozen=True)
class ClaimLine:
    """One service line of the claim (837P loop 2400; CMS-1500 item 24).

    ``kind`` is ``"administration"`` or ``"drug"``; ``modifiers`` holds at most four
    (SV101-3..6), here JW or JZ on drug lines. ``diagnosis_pointers`` are 1-based positions
    in the claim's diagnoses (SV107). Drug lines carry the NDC: ``ndc`` is the N4 string of
    :func:`rules.inventory.ndc.claim_ndc` (``None`` when no NDC was recorded), with its parts
    ``ndc11``, ``ndc_unit`` and ``ndc_quantity`` for the 837P LIN/CTP segments.
    """

    kind: str
    code: str
    units: int
    modifiers: tuple[str, ...]
    diagnosis_pointers: tuple[int, ...]
    place_of_service: str
    date_of_service: dt.date
    description: str
    drug_key: str = ""
    ndc: str | None = None
    ndc11: str = ""
    ndc_unit: str = ""
    ndc_quantity: Decimal | None = None

    @property
    def modifier_text(self) -> str:
        return " ".join(self.modifiers)


def claim_diagnoses(facts: EncounterFacts) -> tuple[str, ...]:
    """The diagnoses the claim carries: the encounter's first twelve, duplicates dropped."""
    seen: list[str] = []
    for code in facts.diagnoses:
        cleaned = code.strip().upper()
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return tuple(seen[:MAX_CLAIM_DIAGNOSES])


def derive_claim_lines(facts: EncounterFacts) -> list[ClaimLine]:
    """Return the claim lines for one encounter: administrations first, then drugs.

    Administration lines follow :func:`administration_codes` (initial service first).
    Each center-supplied drug gives its administered line and, for discarded drug, a JW line
    (or JZ on the only line); patient-supplied (white-bagged) drugs give no line. Drug lines
    point to the drug's own diagnoses (or the claim's first four); administration lines to
    the diagnoses of the drugs given, in claim order, at most four.

    Example: infliximab 350 mg from four 100 mg vials, infused 09:00-11:10 as the only
    drug, diagnosis K50.90 -> 96413 x1, 96415 x1, J1745 x35, J1745-JW x5, every line
    pointing to diagnosis 1.

    Raises ValueError for a malformed fact (see :func:`check_facts`).
    """
    check_facts(facts)
    diagnoses = claim_diagnoses(facts)
    admin_pointers = _administration_pointers(facts, diagnoses)
    administered = administration_lines(
        list(facts.administrations),
        setting=facts.administration_setting,
        second_site=list(facts.second_site),
    )
    lines = [
        ClaimLine(
            kind="administration",
            code=admin.code,
            units=admin.units,
            modifiers=admin.modifiers,
            diagnosis_pointers=admin_pointers,
            place_of_service=facts.place_of_service,
            date_of_service=facts.date_of_service,
            description=ADMIN_CODE_NAMES.get(admin.code, "Drug administration"),
        )
        for admin in administered
    ]
    for group in _drug_groups(facts.drugs):
        lines.extend(_drug_lines(facts, group, _drug_pointers(group[0], diagnoses)))
    return lines


def _drug_groups(drugs: tuple[DrugGiven, ...]) -> list[list[DrugGiven]]:
    """The center-supplied drugs grouped per drug and kind of container, in order given."""
    groups: dict[tuple[str, str, Decimal, bool], list[DrugGiven]] = {}
    for drug in drugs:
        if drug.center_supplied:
            key = (
                drug.hcpcs.strip().upper(),
                drug.drug_key or drug.drug_name,
                drug.billing_unit_mg,
                drug.single_dose,
            )
            groups.setdefault(key, []).append(drug)
    return list(groups.values())


def _drug_lines(
    facts: EncounterFacts, group: list[DrugGiven], pointers: tuple[int, ...]
) -> list[ClaimLine]:
    """One drug's lines for the encounter: per NDC its administered units, then one JW line.

    Given and discarded amounts are summed over all the drug's containers and rounded once
    (given up, discarded down): the CMS JW/JZ FAQ counts the discarded amount of the drug
    on the claim, not per vial, and forbids JZ beside JW. JZ goes on every administered line
    only when nothing billable was discarded from any single-dose container.
    """
    first = group[0]
    single = first.single_dose
    dose = sum((d.dose_mg for d in group), Decimal(0))
    opened = sum((d.opened_mg if single else d.dose_mg for d in group), Decimal(0))
    billed = drug_billing_lines(first.hcpcs, first.billing_unit_mg, dose, opened)
    given, wasted = billed[0], (billed[1] if len(billed) > 1 else None)
    given_modifier = (JZ,) if single and wasted is None else ()
    lines: list[ClaimLine] = []
    for drug, units in zip(group, _split_units(given.units, group), strict=True):
        if units == 0:
            continue
        share = drug.dose_mg if wasted is not None else _opened(drug)
        lines.append(
            _drug_line(
                facts,
                drug,
                code=given.hcpcs,
                units=units,
                modifiers=given_modifier,
                pointers=pointers,
                share_mg=share,
            )
        )
    if wasted is not None:
        most = max(group, key=lambda d: _opened(d) - d.dose_mg)
        discarded = _discarded_quantity(group, most)
        line = _drug_line(
            facts,
            most,
            code=wasted.hcpcs,
            units=wasted.units,
            modifiers=(JW,),
            pointers=pointers,
            share_mg=None,
        )
        lines.append(_with_quantity(line, most, discarded))
    return lines


def _opened(drug: DrugGiven) -> Decimal:
    return drug.opened_mg if drug.single_dose else drug.dose_mg


def _split_units(total: int, group: list[DrugGiven]) -> list[int]:
    """Share the drug's administered units over its NDCs by dose (largest remainder), so
    the lines add up to the units of the summed dose."""
    dose = sum((d.dose_mg for d in group), Decimal(0))
    if len(group) == 1 or dose <= 0:
        return [total] + [0] * (len(group) - 1)
    exact = [total * d.dose_mg / dose for d in group]
    units = [int(x) for x in exact]
    by_remainder = sorted(range(len(group)), key=lambda i: (-(exact[i] - units[i]), i))
    for i in by_remainder[: total - sum(units)]:
        units[i] += 1
    return units


def _drug_line(
    facts: EncounterFacts,
    drug: DrugGiven,
    *,
    code: str,
    units: int,
    modifiers: tuple[str, ...],
    pointers: tuple[int, ...],
    share_mg: Decimal | None,
) -> ClaimLine:
    wasted = JW in modifiers
    ndc_fields = _ndc_fields(drug, share_mg, _opened(drug)) if share_mg is not None else {}
    return ClaimLine(
        kind="drug",
        code=code,
        units=units,
        modifiers=modifiers,
        diagnosis_pointers=pointers,
        place_of_service=facts.place_of_service,
        date_of_service=facts.date_of_service,
        description=f"{drug.drug_name} (discarded)" if wasted else drug.drug_name,
        drug_key=drug.drug_key,
        **ndc_fields,
    )


def _discarded_quantity(group: list[DrugGiven], carrier: DrugGiven) -> Decimal | None:
    """The drug discarded from all the drug's containers as a quantity of the carrier's NDC
    (its unit per milligram: a 200 mg/10 mL vial's 0.05 mL/mg), so one JW line carries the
    whole discarded amount in one unit. None when the carrier's quantity is unknown."""
    opened = _opened(carrier)
    if carrier.ndc_quantity <= 0 or opened <= 0:
        return None
    discarded = sum((max(_opened(d) - d.dose_mg, Decimal(0)) for d in group), Decimal(0))
    return discarded * carrier.ndc_quantity / opened


def _with_quantity(line: ClaimLine, drug: DrugGiven, quantity: Decimal | None) -> ClaimLine:
    if quantity is None or not drug.ndc11.strip() or drug.ndc_quantity <= 0:
        return line
    amount = _quantity(quantity)
    unit = drug.ndc_unit.upper()
    return replace(
        line,
        ndc=claim_ndc(drug.ndc11, amount, unit),
        ndc11=to_ndc11(drug.ndc11),
        ndc_unit=unit,
        ndc_quantity=amount,
    )


def _quantity(value: Decimal) -> Decimal:
    quantity = value.quantize(_NDC_QUANTITY_STEP, rounding=ROUND_HALF_UP)
    return quantity if quantity > 0 else _NDC_QUANTITY_STEP


def _ndc_fields(drug: DrugGiven, share_mg: Decimal, opened_mg: Decimal) -> dict[str, Any]:
    """The NDC parts of a drug line; the quantity is the line's share of what was opened,
    in the package's unit (ML for a solution, UN for a powder vial, GR by weight)."""
    if not drug.ndc11.strip() or drug.ndc_quantity <= 0 or opened_mg <= 0:
        return {}
    quantity = _quantity(drug.ndc_quantity * share_mg / opened_mg)
    unit = drug.ndc_unit.upper()
    return {
        "ndc": claim_ndc(drug.ndc11, quantity, unit),
        "ndc11": to_ndc11(drug.ndc11),
        "ndc_unit": unit,
        "ndc_quantity": quantity,
    }


def _drug_pointers(drug: DrugGiven, diagnoses: tuple[str, ...]) -> tuple[int, ...]:
    wanted = [code.strip().upper() for code in drug.diagnoses]
    pointers = [diagnoses.index(code) + 1 for code in wanted if code in diagnoses]
    if not pointers:
        pointers = list(range(1, len(diagnoses) + 1))
    return tuple(sorted(set(pointers)))[:MAX_LINE_POINTERS]


def _administration_pointers(facts: EncounterFacts, diagnoses: tuple[str, ...]) -> tuple[int, ...]:
    pointers: set[int] = set()
    for drug in facts.drugs:
        pointers.update(_drug_pointers(drug, diagnoses))
    if not pointers:
        pointers = set(range(1, len(diagnoses) + 1))
    return tuple(sorted(pointers))[:MAX_LINE_POINTERS]


# --- checking the facts' shape ---------------------------------------------------------


def check_facts(facts: EncounterFacts) -> None:
    """Raise ValueError when a fact is malformed (not when it is merely missing)."""
    if not isinstance(facts, EncounterFacts):
        raise ValueError(f"expected EncounterFacts, got {type(facts).__name__}")
    if not isinstance(facts.date_of_service, dt.date) or isinstance(
        facts.date_of_service, dt.datetime
    ):
        raise ValueError("date_of_service must be a date (not a datetime)")
    if not (len(facts.place_of_service) == 2 and facts.place_of_service.isdigit()):
        raise ValueError(f"place of service {facts.place_of_service!r} must be a 2-digit code")
    for coverage in facts.coverages:
        if coverage.relationship not in RELATIONSHIPS:
            raise ValueError(
                f"relationship {coverage.relationship!r} must be one of "
                f"{', '.join(sorted(RELATIONSHIPS))}"
            )
    if facts.setting and facts.setting not in ("facility", "office"):
        raise ValueError(f"setting {facts.setting!r} must be 'facility' or 'office'")
    if len(facts.coverages) > len(SEQUENCES):
        raise ValueError(f"at most {len(SEQUENCES)} coverages (primary, secondary, tertiary)")
    for drug in facts.drugs:
        _check_drug(drug)


def _check_drug(drug: DrugGiven) -> None:
    if not drug.drug_name.strip():
        raise ValueError("a drug given needs its name")
    for name in ("billing_unit_mg", "dose_mg", "opened_mg", "ndc_quantity"):
        value = getattr(drug, name)
        if isinstance(value, bool) or not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"{drug.drug_name}: {name} must be a finite Decimal, got {value!r}")
    if drug.ndc_quantity < 0:
        raise ValueError(f"{drug.drug_name}: NDC quantity must not be negative")
    if drug.ndc_unit.upper() not in UNIT_QUALIFIERS:
        allowed = ", ".join(sorted(UNIT_QUALIFIERS))
        raise ValueError(f"{drug.drug_name}: NDC unit {drug.ndc_unit!r} is not one of {allowed}")
    if drug.ndc11.strip():
        to_ndc11(drug.ndc11)


# --- JSON round trip (billing stores the facts each derivation used) -------------------


def facts_to_dict(facts: EncounterFacts) -> dict[str, Any]:
    """The facts as JSON-safe data: dates and datetimes in ISO form, Decimals as text."""
    return {
        "encounter_ref": facts.encounter_ref,
        "date_of_service": facts.date_of_service.isoformat(),
        "place_of_service": facts.place_of_service,
        "patient": _person_dict(facts.patient),
        "account_number": facts.account_number,
        "coverages": [
            {
                **{k: getattr(c, k) for k in _COVERAGE_TEXT},
                "subscriber": _person_dict(c.subscriber) if c.subscriber else None,
            }
            for c in facts.coverages
        ],
        "diagnoses": list(facts.diagnoses),
        "rendering_provider": _provider_dict(facts.rendering_provider),
        "supervising_provider": _provider_dict(facts.supervising_provider),
        "referring_provider": _provider_dict(facts.referring_provider),
        "prior_authorization": facts.prior_authorization,
        "administrations": [_admin_dict(a) for a in facts.administrations],
        "second_site": [_admin_dict(a) for a in facts.second_site],
        "setting": facts.setting,
        "drugs": [_drug_dict(d) for d in facts.drugs],
    }


def facts_from_dict(data: Mapping[str, Any]) -> EncounterFacts:
    """Read back what :func:`facts_to_dict` wrote. Raises ValueError on a malformed dict."""
    try:
        return EncounterFacts(
            encounter_ref=str(data["encounter_ref"]),
            date_of_service=dt.date.fromisoformat(data["date_of_service"]),
            place_of_service=str(data["place_of_service"]),
            patient=_person_from(data["patient"]),
            account_number=str(data.get("account_number", "")),
            coverages=tuple(_coverage_from(c) for c in data.get("coverages", [])),
            diagnoses=tuple(str(d) for d in data.get("diagnoses", [])),
            rendering_provider=_provider_from(data.get("rendering_provider")),
            supervising_provider=_provider_from(data.get("supervising_provider")),
            referring_provider=_provider_from(data.get("referring_provider")),
            prior_authorization=str(data.get("prior_authorization", "")),
            administrations=tuple(_admin_from(a) for a in data.get("administrations", [])),
            second_site=tuple(_admin_from(a) for a in data.get("second_site", [])),
            setting=str(data.get("setting", "")),
            drugs=tuple(_drug_from(d) for d in data.get("drugs", [])),
        )
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise ValueError(f"encounter facts are malformed: {exc!r}") from None


_PERSON_TEXT = (
    "last_name",
    "first_name",
    "sex",
    "middle_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
)
_COVERAGE_TEXT = (
    "payer_ref",
    "payer_name",
    "payer_id",
    "member_id",
    "group_number",
    "plan_name",
    "relationship",
)
_PROVIDER_TEXT = ("npi", "last_name", "first_name", "credential")
_DRUG_DECIMALS = ("billing_unit_mg", "dose_mg", "opened_mg", "ndc_quantity")
_DRUG_TEXT = ("drug_name", "hcpcs", "ndc11", "ndc_unit", "drug_key")


def _person_dict(person: Person) -> dict[str, Any]:
    born = person.date_of_birth.isoformat() if person.date_of_birth else None
    return {**{k: getattr(person, k) for k in _PERSON_TEXT}, "date_of_birth": born}


def _person_from(data: Mapping[str, Any]) -> Person:
    born = data.get("date_of_birth")
    return Person(
        **{k: str(data.get(k, "")) for k in _PERSON_TEXT},
        date_of_birth=dt.date.fromisoformat(born) if born else None,
    )


def _coverage_from(data: Mapping[str, Any]) -> CoverageFacts:
    subscriber = data.get("subscriber")
    return CoverageFacts(
        **{k: str(data.get(k, "")) for k in _COVERAGE_TEXT},
        subscriber=_person_from(subscriber) if subscriber else None,
    )


def _provider_dict(provider: Provider | None) -> dict[str, str] | None:
    return {k: getattr(provider, k) for k in _PROVIDER_TEXT} if provider else None


def _provider_from(data: Mapping[str, Any] | None) -> Provider | None:
    return Provider(**{k: str(data.get(k, "")) for k in _PROVIDER_TEXT}) if data else None


def _admin_dict(admin: Administration) -> dict[str, Any]:
    return {
        "category": admin.category,
        "method": admin.method,
        "start": admin.start.isoformat(),
        "end": admin.end.isoformat(),
        "drug": admin.drug,
        "hormonal": admin.hormonal,
        "primary": admin.primary,
    }


def _admin_from(data: Mapping[str, Any]) -> Administration:
    return Administration(
        category=str(data["category"]),
        method=str(data["method"]),
        start=dt.datetime.fromisoformat(data["start"]),
        end=dt.datetime.fromisoformat(data["end"]),
        drug=data.get("drug"),
        hormonal=bool(data.get("hormonal", False)),
        primary=bool(data.get("primary", False)),
    )


def _drug_dict(drug: DrugGiven) -> dict[str, Any]:
    return {
        **{k: getattr(drug, k) for k in _DRUG_TEXT},
        **{k: str(getattr(drug, k)) for k in _DRUG_DECIMALS},
        "center_supplied": drug.center_supplied,
        "single_dose": drug.single_dose,
        "diagnoses": list(drug.diagnoses),
    }


def _drug_from(data: Mapping[str, Any]) -> DrugGiven:
    def text(key: str) -> str:
        return str(data.get(key, ""))

    def amount(key: str) -> Decimal:
        return Decimal(str(data.get(key, "0")))

    return DrugGiven(
        drug_name=text("drug_name"),
        hcpcs=text("hcpcs"),
        billing_unit_mg=amount("billing_unit_mg"),
        dose_mg=amount("dose_mg"),
        opened_mg=amount("opened_mg"),
        ndc11=text("ndc11"),
        ndc_quantity=amount("ndc_quantity"),
        ndc_unit=text("ndc_unit") or "UN",
        center_supplied=bool(data.get("center_supplied", True)),
        single_dose=bool(data.get("single_dose", True)),
        diagnoses=tuple(str(d) for d in data.get("diagnoses", [])),
        drug_key=text("drug_key"),
    )


__all__ = [
    "ADMIN_CODE_NAMES",
    "Administration",
    "ClaimLine",
    "CoverageFacts",
    "DrugGiven",
    "EncounterFacts",
    "Person",
    "Provider",
    "check_facts",
    "claim_diagnoses",
    "derive_claim_lines",
    "facts_from_dict",
    "facts_to_dict",
]
