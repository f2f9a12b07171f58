"""From stored claims to the pure documents the rules write and check.

Turns a ``Claim`` (with its encounter's stored facts, its items and, for a secondary claim,
the primary's posted remittance) into ``rules.billing.x12.x12_837p.ClaimDocument`` and
``rules.billing.claim_check.CheckInput``. Reads only; scoped by the claim's own organization.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from chairside.billing.home_infusion import home_check
from chairside.billing.models import BillingProfile, ChargeLine, Claim, ClaimItem
from chairside.billing.pricing import billing_profile, mue_limits
from chairside.patients.reference import icd10_catalog
from chairside.rules.billing import claim_states
from chairside.rules.billing.charges import ClaimLine, EncounterFacts
from chairside.rules.billing.claim_check import BillingProviderFacts, CheckInput, hit_notes
from chairside.rules.billing.hospital_outpatient import attending_provider
from chairside.rules.billing.x12.x12_837i import (
    CLAIM_FILING_837I,
    InstitutionalClaim,
    InstitutionalLine,
)
from chairside.rules.billing.x12.x12_837p import (
    CLAIM_FILING,
    Adjustment,
    BilledLine,
    BillingProvider,
    ClaimDocument,
    Facility,
    LineAdjudication,
    OtherPayer,
    Party,
)

ADJUDICATED = frozenset(
    {claim_states.PAID, claim_states.PARTIALLY_PAID, claim_states.DENIED, claim_states.CLOSED}
)


def claim_line(line: ChargeLine) -> ClaimLine:
    """A stored charge line as the rules' ClaimLine."""
    return ClaimLine(
        kind=line.kind,
        code=line.code,
        units=line.units,
        modifiers=line.modifier_list,
        diagnosis_pointers=line.pointer_list,
        place_of_service=line.place_of_service,
        date_of_service=line.date_of_service,
        description=line.description,
        drug_key=line.drug_key,
        ndc=line.ndc or None,
        ndc11=line.ndc11,
        ndc_unit=line.ndc_unit,
        ndc_quantity=line.ndc_quantity,
    )


def _items(claim: Claim) -> list[ClaimItem]:
    return list(claim.items.select_related("line").order_by("line_number"))


def primary_of(claim: Claim) -> Claim | None:
    if claim.sequence == 1:
        return None
    return (
        Claim.objects.filter(encounter=claim.encounter, sequence=claim.sequence - 1)
        .order_by("superseded", "-created_at")
        .first()
    )


def claim_notes(claim: Claim) -> list[str]:
    """What the claim page shows beside the check, never blocking it: for a home infusion
    claim, a first Medicare HIT visit billed as subsequent because of another supplier's
    history (``rules.billing.claim_check.hit_notes``)."""
    home = home_check(claim)
    if home is None:
        return []
    return hit_notes([claim_line(item.line) for item in claim.items.select_related("line")], home)


def check_input(claim: Claim, *, authorization_required: bool, today: dt.date) -> CheckInput:

    items = _items(claim)
    primary = primary_of(claim)
    limits, mue_source = mue_limits(claim.organization)
    if claim.is_institutional:
        # The shipped/imported table is CMS's practitioner MUE table; outpatient hospital
        # claims are edited against the facility table, which Chairside does not load.
        limits, mue_source = {}, ""
    location = claim.encounter.location
    return CheckInput(
        facts=claim.encounter.encounter_facts(),
        coverage_index=claim.sequence - 1,
        lines=[claim_line(item.line) for item in items],
        charges=[item.charge if item.line.charge is not None else None for item in items],
        billing_provider=_billing_facts(billing_profile(claim.organization)),
        authorization_required=authorization_required,
        prior_payer_adjudicated=primary is None or primary.state in ADJUDICATED,
        today=today,
        frequency_code=claim.frequency_code,
        original_reference=claim.replaces.payer_claim_number if claim.replaces else "",
        mue_limits=limits,
        mue_source=mue_source,
        mue_override_note=claim.mue_override_note,
        known_icd10=tuple(icd10_catalog()),
        claim_form=claim.claim_form,
        revenue_codes=[item.revenue_code for item in items] if claim.is_institutional else [],
        off_campus_department=claim.is_institutional
        and location is not None
        and location.site_type == "hospital_off_campus",
        home_infusion=home_check(claim),
    )


def _billing_facts(profile: BillingProfile) -> BillingProviderFacts:
    return BillingProviderFacts(
        name=profile.billing_name,
        npi=profile.npi,
        tax_id=profile.tax_id,
        address_line1=profile.address_line1,
        city=profile.city,
        state=profile.state,
        postal_code=profile.postal_code,
    )


def billing_provider(profile: BillingProfile) -> BillingProvider:
    return BillingProvider(
        name=profile.billing_name,
        npi=profile.npi,
        tax_id=profile.tax_id,
        address_line1=profile.address_line1,
        address_line2=profile.address_line2,
        city=profile.city,
        state=profile.state,
        postal_code=profile.postal_code,
    )


def sender(profile: BillingProfile) -> Party:
    return Party(
        name=profile.billing_name,
        identifier=profile.submitter_id or profile.npi or "SUBMITTER",
        contact_name=profile.contact_name,
        contact_phone=profile.contact_phone,
    )


def receiver(profile: BillingProfile) -> Party:
    return Party(
        name=profile.receiver_name or "CLEARINGHOUSE",
        identifier=profile.receiver_id or "RECEIVER",
    )


def claim_document(claim: Claim) -> ClaimDocument:
    """The 837P claim for a stored claim: lines with charges, other payers, facility."""
    facts = claim.encounter.encounter_facts()
    primary = primary_of(claim)
    prior = _prior_adjudications(primary) if primary is not None else {}
    lines = tuple(
        BilledLine(
            line=claim_line(item.line),
            charge=item.charge,
            control_number=item.control_number,
            prior_payers=prior.get(item.line_id, ()),
        )
        for item in _items(claim)
    )
    return ClaimDocument(
        control_number=claim.control_number,
        facts=facts,
        coverage_index=claim.sequence - 1,
        claim_filing=CLAIM_FILING.get(claim.payer.kind, "CI"),
        lines=lines,
        frequency_code=claim.frequency_code,
        original_reference=claim.replaces.payer_claim_number if claim.replaces else "",
        facility=_facility(claim),
        other_payers=_other_payers(primary, facts) if primary is not None else (),
    )


def institutional_document(claim: Claim) -> InstitutionalClaim:
    """The 837I claim for a stored institutional claim: revenue-coded lines, the attending
    (the visit's supervising physician), other payers for a secondary claim."""
    facts = claim.encounter.encounter_facts()
    primary = primary_of(claim)
    lines = tuple(
        InstitutionalLine(
            line=claim_line(item.line),
            revenue_code=item.revenue_code,
            charge=item.charge,
            control_number=item.control_number,
        )
        for item in _items(claim)
    )
    other = _other_payers(primary, facts, CLAIM_FILING_837I) if primary is not None else ()
    return InstitutionalClaim(
        control_number=claim.control_number,
        facts=facts,
        coverage_index=claim.sequence - 1,
        claim_filing=CLAIM_FILING_837I.get(claim.payer.kind, "CI"),
        lines=lines,
        attending=attending_provider(facts),
        frequency_code=claim.frequency_code,
        original_reference=claim.replaces.payer_claim_number if claim.replaces else "",
        other_payers=other,
    )


def _facility(claim: Claim) -> Facility | None:
    location = claim.encounter.location
    if location is None:
        return None
    profile = billing_profile(claim.organization)
    if location.address_line1.strip().upper() == profile.address_line1.strip().upper():
        return None  # the service was given at the billing address (2310C not used)
    return Facility(
        name=location.name,
        address_line1=location.address_line1,
        address_line2=location.address_line2,
        city=location.city,
        state=location.state,
        postal_code=location.postal_code,
    )


def _remit_date(primary: Claim) -> dt.date:
    remit = primary.remits.select_related("remittance").order_by("-remittance__paid_on").first()
    return remit.remittance.paid_on if remit is not None else primary.updated_at.date()


def _prior_adjudications(primary: Claim) -> dict[int, tuple[LineAdjudication, ...]]:
    paid_on = _remit_date(primary)
    found: dict[int, tuple[LineAdjudication, ...]] = {}
    for item in _items(primary):
        adjustments = tuple(
            Adjustment(a.group, a.reason, a.amount, a.quantity)
            for payment in item.payments.all()
            for a in payment.adjustments.all()
        )
        found[item.line_id] = (
            LineAdjudication(
                payer_id=primary.payer.payer_id,
                paid=item.paid,
                code=item.line.code,
                modifiers=item.line.modifier_list,
                units=item.line.units,
                adjudicated_on=paid_on,
                adjustments=adjustments,
            ),
        )
    return found


def _other_payers(
    primary: Claim, facts: EncounterFacts, filing: dict[str, str] = CLAIM_FILING
) -> tuple[OtherPayer, ...]:
    claim_level = tuple(
        Adjustment(a.group, a.reason, a.amount, a.quantity)
        for remit in primary.remits.all()
        for a in remit.adjustments.filter(payment__isnull=True)
    )
    return (
        OtherPayer(
            coverage=facts.coverages[primary.sequence - 1],
            sequence=("P", "S", "T")[primary.sequence - 1],
            claim_filing=filing.get(primary.payer.kind, "CI"),
            paid=primary.paid,
            adjudicated_on=_remit_date(primary),
            adjustments=claim_level,
        ),
    )


def money(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


LETTERS = "ABCDEFGHIJKL"


def _charge(row: dict[str, Any]) -> Decimal:
    return Decimal(row["item"].charge or 0)


# Item 1's boxes by payer kind (NUCC 1500 Reference Instruction Manual 02/12, item 1).
_ITEM1 = {
    "medicare_b": "MEDICARE",
    "medicaid": "MEDICAID",
    "tricare": "TRICARE",
    "medicare_advantage": "GROUP HEALTH PLAN",
    "commercial": "GROUP HEALTH PLAN",
}
ITEM1_BOXES = ("MEDICARE", "MEDICAID", "TRICARE", "CHAMPVA", "GROUP HEALTH PLAN", "FECA", "OTHER")
LINES_PER_FORM = 6  # item 24 has six service lines; more lines continue on another form


def cms1500_context(claim: Claim) -> dict[str, Any]:
    """What the CMS-1500 view prints (NUCC 1500 Reference Instruction Manual items), split
    into forms of six service lines, each form totalled on its own (item 28)."""
    facts = claim.encounter.encounter_facts()
    coverage = (
        facts.coverages[claim.sequence - 1] if len(facts.coverages) >= claim.sequence else None
    )
    other = facts.coverages[claim.sequence] if len(facts.coverages) > claim.sequence else None
    rows = [
        {
            "item": item,
            "pointers": "".join(LETTERS[p - 1] for p in item.line.pointer_list if 0 < p <= 12),
            "modifiers": item.line.modifier_list[:4],
        }
        for item in _items(claim)
    ]
    chunks = [rows[i : i + LINES_PER_FORM] for i in range(0, len(rows), LINES_PER_FORM)] or [[]]
    forms = [
        {
            "rows": chunk,
            "blank_rows": range(LINES_PER_FORM - len(chunk)),
            "total": sum((_charge(r) for r in chunk), Decimal(0)),
            "number": n,
        }
        for n, chunk in enumerate(chunks, start=1)
    ]
    codes = [d.replace(".", "") for d in facts.diagnoses[:12]]
    diagnoses = list(zip(LETTERS, codes + [""] * (12 - len(codes)), strict=False))
    kind = claim.payer.kind
    return {
        "facts": facts,
        "coverage": coverage,
        "other_coverage": other,
        "diagnoses": list(zip(LETTERS, codes, strict=False)),
        "diagnosis_rows": [diagnoses[i : i + 4] for i in range(0, 12, 4)],
        "rows": rows,
        "forms": forms,
        "form_count": len(forms),
        "item1": [(box, box == _ITEM1.get(kind, "OTHER")) for box in ITEM1_BOXES],
        "relationship": (coverage.relationship if coverage else "self").upper(),
        "facility": _facility(claim),
    }


UB04_LINES_PER_PAGE = 22  # FL 42-47 have 22 service lines; line 23 carries the page/total

# FL 59 patient's relationship to insured (NUBC): 18 self, 01 spouse, 19 child, G8 other.
_UB04_RELATIONSHIP = {"self": "18", "spouse": "01", "child": "19"}


def ub04_context(claim: Claim) -> dict[str, Any]:
    """What the UB-04 view prints, by form locator (NUBC UB-04 Data Specifications Manual;
    CMS Pub. 100-04 ch. 25 §75): the same data the 837I carries (rules.x12_837i)."""
    document = institutional_document(claim)
    facts = document.facts
    payers = [
        {
            "coverage": coverage,
            "relationship": _UB04_RELATIONSHIP.get(coverage.relationship, "G8"),
            "billed": index == claim.sequence - 1,
            "prior_paid": primary.paid
            if (primary := primary_of(claim)) is not None and index == primary.sequence - 1
            else None,
        }
        for index, coverage in enumerate(facts.coverages[:3])
    ]
    rows = list(document.lines)
    pages = [
        rows[i : i + UB04_LINES_PER_PAGE] for i in range(0, len(rows), UB04_LINES_PER_PAGE)
    ] or [[]]
    diagnoses = [code.replace(".", "") for code in facts.diagnoses[:18]]
    return {
        "document": document,
        "facts": facts,
        "type_of_bill": document.type_of_bill,
        "payers": payers,
        "pages": [
            {
                "rows": page,
                "blank_rows": range(UB04_LINES_PER_PAGE - len(page)),
                "number": n,
                "total": sum((r.charge for r in page), Decimal(0)),
            }
            for n, page in enumerate(pages, start=1)
        ],
        "page_count": len(pages),
        "total": document.total_charge,
        "principal_diagnosis": diagnoses[0] if diagnoses else "",
        "other_diagnoses": diagnoses[1:],
        "attending": document.attending,
        "referring": facts.referring_provider,
    }
