"""Demo step: the demo center's billing — settings, DEMO prices and contracts, twelve weeks of
charges, claims sent as 837P files, payers' 835 remittances posted, and the denials they left.

Every price here is a DEMO figure (the formulary's demo prices; made-up contract terms and
fees), never a real ASP, WAC or fee schedule amount. Claims go through the real services:
charges derived by the rules, the pre-submission check, the 837P writer validated by pyx12,
and 835 files (written by ``billing.simulate`` as a payer would) posted by the importer.
Rows are found by natural keys (codes, payers, visit keys, 835 trace numbers), so running
seeddemo twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.billing.models import (
    AspPricingFile,
    BillingProfile,
    ChargeMasterItem,
    Claim,
    ContractAdminFee,
    ContractDrugRate,
    DrugPrice,
    Encounter,
    PayerContract,
)
from chairside.billing.services import (
    asp_file_import,
    charges_derive,
    charges_derive_for_visit,
    claim_transition,
    claims_export,
    remittance_import,
)
from chairside.billing.services.fees import DEMO_ASP_FILE
from chairside.billing.simulate import simulated_835
from chairside.demo import DemoContext
from chairside.demo.billing_history import demo_doses, dose_facts
from chairside.formulary.services import reference_formulary
from chairside.patients.models import Payer
from chairside.rules.billing import claim_states as states
from chairside.treatments.models import Visit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HISTORY_DAYS = 84
SUBMIT_AFTER_DAYS = 3  # claims go out a few days after the visit
PAID_AFTER_DAYS = 21  # payers answer about three weeks later
SEED = "riverside-billing"

# DEMO charge master for the administration codes (the center's own list prices).
ADMIN_CHARGES = {
    "96360": "250",
    "96361": "90",
    "96365": "300",
    "96366": "95",
    "96367": "150",
    "96368": "120",
    "96372": "60",
    "96374": "180",
    "96375": "90",
    "96376": "80",
    "96401": "140",
    "96402": "120",
    "96409": "220",
    "96411": "130",
    "96413": "450",
    "96415": "95",
    "96417": "200",
    "96549": "150",
}
# DEMO administration fees a Medicare contractor might pay (real amounts vary by locality
# and year: CMS Physician Fee Schedule look-up tool); commercial contracts pay a multiple.
ADMIN_FEES = {
    "96360": "37",
    "96361": "14",
    "96365": "70",
    "96366": "23",
    "96367": "32",
    "96368": "21",
    "96372": "15",
    "96374": "42",
    "96375": "18",
    "96376": "18",
    "96401": "72",
    "96402": "30",
    "96409": "110",
    "96411": "58",
    "96413": "136",
    "96415": "29",
    "96417": "62",
    "96549": "60",
}
# payer name -> (basis, percent, patient %, secondary covers %, PA required, appeal days,
#               admin fee multiple)
CONTRACTS: dict[str, tuple[str, str, str, str, bool, int, str]] = {
    "Medicare Part B": ("asp", "100", "20", "0", False, 120, "1"),
    "Keystone Commercial Health (demo)": ("asp", "110", "10", "100", True, 90, "1.5"),
    "Northstar PPO (demo)": ("wac", "96", "15", "100", True, 180, "1.4"),
    "Horizon Medicare Advantage (demo)": ("asp", "100", "20", "0", True, 60, "1"),
    "State Medicaid (demo)": ("asp", "85", "0", "100", True, 90, "0.8"),
    "Medigap Plan G (demo)": ("asp", "100", "0", "100", False, 90, "1"),
}
# Per-drug exceptions: commercial payers that pay a drug below what it costs (demo terms).
DRUG_EXCEPTIONS = {
    ("Keystone Commercial Health (demo)", "J1756"): ("fixed", "0.15"),
    ("Northstar PPO (demo)", "J1459"): ("fixed", "44.00"),
}


def _setup_prices(org: Any, ctx: DemoContext) -> None:
    biller = ctx.users.get("biller")
    BillingProfile.objects.get_or_create(
        organization=org,
        defaults={
            "billing_name": org.name,
            "npi": org.group_npi,
            "tax_id": org.tax_id,
            "address_line1": "100 Riverside Plaza, Suite 200",
            "city": "Riverside",
            "state": "PA",
            "postal_code": "19000-0200",
            "submitter_id": "RIVERSIDEDEMO",
            "contact_name": "Nina Alvarez",
            "contact_phone": "5550102000",
            "receiver_name": "DEMO Clearinghouse",
            "receiver_id": "DEMOCLEARING",
            "supplies_cost_per_visit": Decimal("28.00"),
            "nurse_cost_per_hour": Decimal("58.00"),
            "default_assignee": biller,
        },
    )
    drugs = {row["hcpcs"]: row for row in reference_formulary()}
    charges = {code: Decimal(price) for code, price in ADMIN_CHARGES.items()}
    for hcpcs, row in drugs.items():
        limit = Decimal(row["demo_prices"]["payment_limit_per_unit"])
        cost = Decimal(row["demo_prices"]["acquisition_cost_per_unit"])
        charges[hcpcs] = (limit * 2).quantize(Decimal("0.01"))
        DrugPrice.objects.get_or_create(
            organization=org,
            hcpcs=hcpcs,
            defaults={
                "acquisition_cost_per_unit": cost,
                "wac_per_unit": cost * Decimal("1.08"),
                "is_demo": True,
            },
        )
    for code, price in charges.items():
        ChargeMasterItem.objects.get_or_create(
            organization=org, code=code, defaults={"price_per_unit": price, "is_demo": True}
        )
    if not AspPricingFile.objects.filter(organization=org, filename=DEMO_ASP_FILE.name).exists():
        asp_file_import(
            organization=org,
            data=DEMO_ASP_FILE.read_bytes(),
            filename=DEMO_ASP_FILE.name,
            user=None,
        )


def _setup_contracts(org: Any) -> None:
    medicare = Payer.objects.filter(organization=org, name="Medicare Part B", payer_id="").first()
    if medicare is not None:  # the demo's Medicare has no electronic ID: give it a demo one
        medicare.payer_id = "DEMO0"
        medicare.save(update_fields=["payer_id", "updated_at"])
    for name, terms in CONTRACTS.items():
        payer = Payer.objects.filter(organization=org, name=name).first()
        if payer is None:
            continue
        basis, percent, patient, secondary, auth, days, multiple = terms
        contract, created = PayerContract.objects.get_or_create(
            organization=org,
            payer=payer,
            defaults={
                "drug_basis": basis,
                "drug_percent": Decimal(percent),
                "patient_share_percent": Decimal(patient),
                "secondary_covers_percent": Decimal(secondary),
                "requires_prior_authorization": auth,
                "appeal_window_days": days,
                "is_demo": True,
                "notes": "DEMO terms, made up for the demo center.",
            },
        )
        if not created:
            continue
        ContractAdminFee.objects.bulk_create(
            ContractAdminFee(
                contract=contract,
                cpt=code,
                amount=(Decimal(fee) * Decimal(multiple)).quantize(Decimal("0.01")),
            )
            for code, fee in ADMIN_FEES.items()
        )
        for (payer_name, hcpcs), (rule, rate) in DRUG_EXCEPTIONS.items():
            if payer_name == name:
                ContractDrugRate.objects.create(
                    contract=contract, hcpcs=hcpcs, basis=rule, rate=Decimal(rate)
                )


def _reprice_signed_visits(org: Any, ctx: DemoContext) -> int:
    """Visits signed before the prices existed: derive their charges again (same visit)."""
    unpriced = Encounter.objects.filter(
        organization=org,
        source=Encounter.Source.VISIT,
        lines__status="current",
        lines__charge__isnull=True,
    ).distinct()
    count = 0
    for encounter in unpriced:
        visit = Visit.objects.filter(organization=org, public_id=encounter.encounter_ref).first()
        if visit is not None:
            charges_derive_for_visit(visit=visit, user=ctx.users.get("biller"))
            count += 1
    return count


def _history(org: Any, today: dt.date) -> int:
    made = 0
    existing = set(
        Encounter.objects.filter(organization=org).values_list("encounter_ref", flat=True)
    )
    for dose in demo_doses(org, today - dt.timedelta(days=HISTORY_DAYS), today):
        if dose.ref in existing:
            continue
        try:
            facts = dose_facts(dose)
            with transaction.atomic():
                charges_derive(
                    organization=org,
                    patient=dose.order.patient,
                    location=dose.location,
                    facts=facts,
                    source=Encounter.Source.DEMO,
                )
        except (ValueError, ValidationError):
            continue  # a dose the demo cannot describe (no weight for a per-kg dose)
        made += 1
    return made


def _weekly(claims: list[Claim]) -> dict[tuple[int, dt.date], list[Claim]]:
    groups: dict[tuple[int, dt.date], list[Claim]] = defaultdict(list)
    for claim in claims:
        day = claim.encounter.date_of_service
        groups[(claim.payer_id, day - dt.timedelta(days=day.weekday()))].append(claim)
    return groups


def _submit(org: Any, today: dt.date, user: User | None) -> int:
    """One 837P file a week (a clearinghouse takes every payer's claims in one file)."""
    ready = Claim.objects.filter(
        organization=org,
        sequence=1,
        superseded=False,
        state=states.READY,
        encounter__date_of_service__lte=today - dt.timedelta(days=SUBMIT_AFTER_DAYS),
    ).select_related("encounter")
    weeks: dict[dt.date, list[Claim]] = defaultdict(list)
    for (_, week), claims in _weekly(list(ready)).items():
        weeks[week] += claims
    sent = 0
    for week, claims in sorted(weeks.items()):
        try:
            claims_export(organization=org, claims=claims, user=user)
        except ValidationError as exc:
            # Every demo claim sent is ready and checked: a refusal (pyx12 finding an error
            # in the 837P, or the check) is a bug in the demo or the writer, never skipped.
            raise RuntimeError(
                f"Demo 837P for the week of {week:%Y-%m-%d} ({len(claims)} claims) was refused: "
                + "; ".join(exc.messages)
            ) from exc
        sent += len(claims)
    return sent


def _denied_lines(claim: Claim, rng: random.Random) -> dict[int, tuple[str, str]]:
    """A payer's occasional denial: no authorization, a discarded-drug line, medical need."""
    roll = rng.random()
    items = list(claim.items.select_related("line").order_by("line_number"))
    if roll < 0.04:
        return {i.line_number: ("197", "N54") for i in items}
    if roll < 0.10:
        jw = [i for i in items if "JW" in i.line.modifier_list]
        if jw:
            return {jw[0].line_number: ("16", "M119")}
    if roll < 0.14:
        drug = [i for i in items if i.line.kind == "drug"]
        if drug:
            return {drug[0].line_number: ("50", "")}
    return {}


def _pay(org: Any, today: dt.date, user: User | None) -> int:
    waiting = Claim.objects.filter(
        organization=org,
        sequence=1,
        state=states.SUBMITTED,
        encounter__date_of_service__lte=today - dt.timedelta(days=PAID_AFTER_DAYS),
    ).select_related("encounter", "payer", "patient")
    posted = 0
    for (_, week), claims in sorted(_weekly(list(waiting)).items(), key=lambda kv: kv[0][1]):
        rng = random.Random(f"{SEED}-{claims[0].payer.name}-{week}")
        trace = f"DEMO{claims[0].payer.payer_id}{week:%y%m%d}"
        denied = {c.pk: d for c in claims if (d := _denied_lines(c, rng))}
        paid_on = min(week + dt.timedelta(days=PAID_AFTER_DAYS + 4), today)
        text = simulated_835(claims, trace=trace, paid_on=paid_on, denied=denied)
        try:
            remittance_import(organization=org, text=text, filename=f"{trace}.835", user=user)
        except ValidationError:
            continue
        posted += 1
    return posted


def _reject_a_few(org: Any, user: User | None) -> None:
    """Two claims the clearinghouse sent back (277CA), for the rejected queue."""
    if Claim.objects.filter(organization=org, state=states.REJECTED).exists():
        return
    reasons = [
        "277CA A7:164 — entity's contract/member number is invalid for this payer.",
        "277CA A7:562 — entity's National Provider Identifier (NPI) is not on file.",
    ]
    recent = Claim.objects.filter(organization=org, state=states.SUBMITTED).order_by(
        "-encounter__date_of_service", "control_number"
    )[:2]
    for claim, reason in zip(recent, reasons, strict=False):
        claim_transition(claim=claim, to_state=states.REJECTED, user=user, reason=reason)


@transaction.atomic
def seed_billing(ctx: DemoContext) -> None:
    """Billing for the demo center (see the module docstring)."""
    org = ctx.organizations["riverside"]
    user = ctx.users.get("biller")
    today = timezone.localdate()
    _setup_prices(org, ctx)
    _setup_contracts(org)
    repriced = _reprice_signed_visits(org, ctx)
    made = _history(org, today)
    sent = _submit(org, today, user)
    posted = _pay(org, today, user)
    _reject_a_few(org, user)
    claims = Claim.objects.filter(organization=org).count()
    ctx.summary.append(
        f"billing: {made} new demo encounters, {repriced} signed visits priced, {claims} claims, "
        f"{sent} sent in 837P files, {posted} remittances posted"
    )
