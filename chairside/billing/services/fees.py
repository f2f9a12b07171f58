"""Fee schedules and settings: import an ASP file, keep contracts and the billing profile."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, audited_update
from chairside.billing.models import (
    AspPrice,
    AspPricingFile,
    BillingProfile,
    ContractAdminFee,
    ContractDrugRate,
    MueTable,
    PayerContract,
    PayerDrugCategory,
)
from chairside.core.actors import acting_user
from chairside.rules.billing.asp_file import decode_asp_bytes, parse_asp_csv
from chairside.rules.billing.mue_file import parse_mue_csv
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEMO_ASP_FILE = Path(__file__).resolve().parent.parent / "data" / "asp_demo_sample.csv"


@transaction.atomic
def asp_file_import(
    *, organization: Organization, data: bytes, filename: str, user: User | None
) -> AspPricingFile:
    """Import a CMS ASP pricing file (CSV, as published). Bad file: ValidationError, nothing
    saved. The same quarter imported again replaces that quarter's prices."""
    try:
        parsed = parse_asp_csv(decode_asp_bytes(data))
    except ValueError as exc:
        raise ValidationError({"file": str(exc)}) from None
    if not parsed.rows:
        raise ValidationError({"file": "The file has no HCPCS code with a payment limit."})
    same = AspPricingFile.objects.filter(
        organization=organization,
        effective_from=parsed.effective_from,
        effective_to=parsed.effective_to,
        is_demo=parsed.is_demo,
    )
    if parsed.effective_from is not None:
        same.delete()  # re-imported (CMS revises files): the newer upload wins
    record = AspPricingFile.objects.create(
        organization=organization,
        title=parsed.title[:200] or filename[:200],
        filename=filename[:200],
        effective_from=parsed.effective_from,
        effective_to=parsed.effective_to,
        is_demo=parsed.is_demo,
        row_count=len(parsed.rows),
        skipped=[f"line {line}: {why}" for line, why in parsed.skipped],
        imported_by=acting_user(user),
    )
    AspPrice.objects.bulk_create(
        AspPrice(
            file=record,
            hcpcs=row.hcpcs,
            short_description=row.short_description[:120],
            dosage=row.dosage[:40],
            payment_limit=row.payment_limit,
            coinsurance_percent=row.coinsurance_percent,
        )
        for row in parsed.rows
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=record,
        changes={"rows": [None, len(parsed.rows)]},
    )
    return record


@transaction.atomic
def mue_table_import(
    *, organization: Organization, data: bytes, filename: str, file_date: Any, user: User | None
) -> MueTable:
    """Import the CMS practitioner MUE table (CSV as published). Bad file: ValidationError,
    nothing saved. The newest table (by its date) is the one the claim check uses."""
    try:
        parsed = parse_mue_csv(decode_asp_bytes(data), source=filename)
    except ValueError as exc:
        raise ValidationError({"file": str(exc)}) from None
    if not parsed.values:
        raise ValidationError({"file": "The file has no HCPCS/CPT code with an MUE value."})
    table = MueTable.objects.create(
        organization=organization,
        filename=filename[:200],
        file_date=file_date,
        source=f"CMS practitioner services MUE table ({filename})"[:300],
        values=parsed.values,
        skipped=[f"line {line}: {why}" for line, why in parsed.skipped][:200],
        imported_by=acting_user(user),
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=table,
        changes={"codes": [None, len(parsed.values)]},
    )
    return table


CONTRACT_FIELDS = (
    "drug_basis",
    "drug_percent",
    "drug_rate",
    "patient_share_percent",
    "secondary_covers_percent",
    "requires_prior_authorization",
    "suite_place_of_service",
    "suite_nursing",
    "per_diem_coding",
    "appeal_window_days",
    "notes",
)


@transaction.atomic
def payer_contract_save(
    *,
    organization: Organization,
    user: User | None,
    payer: Any,
    contract: PayerContract | None = None,
    **fields: Any,
) -> PayerContract:
    """Create or change a payer's contract terms (``user`` None: entered by the system,
    e.g. the demo seed)."""
    if payer.organization_id != organization.pk:
        raise ValidationError({"payer": "Choose a payer of this organization."})
    if contract is None:
        if PayerContract.objects.filter(organization=organization, payer=payer).exists():
            raise ValidationError({"payer": f"{payer} already has a contract; change that one."})
        contract = PayerContract(organization=organization, payer=payer)
    else:
        contract = PayerContract.objects.select_for_update().get(
            pk=contract.pk, organization=organization
        )
    audited_update(
        instance=contract,
        user=user,
        data=fields,
        fields=CONTRACT_FIELDS,
        organization=organization,
        always=True,
    )
    return contract


@transaction.atomic
def contract_admin_fee_set(
    *, contract: PayerContract, cpt: str, amount: Decimal | None, user: User
) -> ContractAdminFee | None:
    """Set (or, with no amount, remove) the payer's fee for an administration code."""
    code = cpt.strip()
    if not (len(code) == 5 and code.isdigit()):
        raise ValidationError({"cpt": "A CPT code is five digits, e.g. 96413."})
    if amount is None:
        contract.admin_fees.filter(cpt=code).delete()
        return None
    if amount < 0:
        raise ValidationError({"amount": "A fee cannot be negative."})
    fee, _ = ContractAdminFee.objects.update_or_create(
        contract=contract, cpt=code, defaults={"amount": amount}
    )
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=contract.organization,
        obj=contract,
        changes={f"fee {code}": [None, str(amount)]},
    )
    return fee


@transaction.atomic
def contract_drug_rate_set(
    *,
    contract: PayerContract,
    hcpcs: str,
    basis: str,
    percent: Decimal | None,
    rate: Decimal | None,
    user: User,
) -> ContractDrugRate:
    """A per-drug exception to the contract's drug terms."""
    code = hcpcs.strip().upper()
    if basis == PayerContract.Basis.FIXED and rate is None:
        raise ValidationError({"rate": "A fixed rate needs its amount per unit."})
    row = contract.drugs.filter(hcpcs=code).first() or ContractDrugRate(
        contract=contract, hcpcs=code
    )
    row.basis = basis
    row.percent = percent if percent is not None else Decimal(100)
    row.rate = rate
    row.full_clean()
    row.save()
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=contract.organization,
        obj=contract,
        changes={f"drug {code}": [None, f"{basis} {percent or ''} {rate or ''}"]},
    )
    return row


@transaction.atomic
def payer_drug_category_set(
    *,
    organization: Organization,
    payer: Any,
    drug: Any,
    category: str,
    user: User,
    note: str = "",
) -> PayerDrugCategory | None:
    """Bill ``drug`` for ``payer`` with ``category``'s administration codes (``"chemo"``:
    96413 family, ``"therapeutic"``: 96365 family); an empty category removes the payer's
    choice, so the formulary's category applies again. Charges derived from then on use it
    (``rules.billing.payer_categories``); lines already derived stay as they are."""
    if payer is None:
        raise ValidationError({"payer": "Choose the payer."})
    if drug is None:
        raise ValidationError({"drug": "Choose a drug from the formulary."})
    if payer.organization_id != organization.pk:
        raise ValidationError({"payer": "That payer belongs to another organization."})
    if drug.organization_id != organization.pk:
        raise ValidationError({"drug": "That drug belongs to another organization's formulary."})
    if category not in ("", *PayerDrugCategory.Category.values):
        raise ValidationError(
            {
                "category": "Choose chemotherapy/complex (96413 family) or therapeutic "
                "(96365 family), or none to use the formulary's category."
            }
        )
    if drug.admin_category == "hydration":
        raise ValidationError(
            {"drug": f"{drug} is hydration: it has no chemotherapy or therapeutic codes."}
        )
    row = PayerDrugCategory.objects.filter(
        organization=organization, payer=payer, drug=drug
    ).first()
    before = row.category if row else ""
    if not category:
        if row is not None:
            row.delete()
    else:
        row = row or PayerDrugCategory(organization=organization, payer=payer, drug=drug)
        row.category = category
        row.note = note.strip()[:200]
        row.full_clean()
        row.save()
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=organization,
        obj=payer,
        changes={f"administration category {drug.key}": [before or None, category or None]},
    )
    return row if category else None


PROFILE_FIELDS = (
    "billing_name",
    "npi",
    "tax_id",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "submitter_id",
    "contact_name",
    "contact_phone",
    "receiver_name",
    "receiver_id",
    "production",
    "supplies_cost_per_visit",
    "nurse_cost_per_hour",
    "default_assignee",
    "crossover_follow_up_days",
)


@transaction.atomic
def billing_profile_save(
    *, organization: Organization, user: User, **fields: Any
) -> BillingProfile:
    """Create or change the organization's billing profile."""
    profile = BillingProfile.objects.select_for_update().filter(
        organization=organization
    ).first() or BillingProfile(organization=organization)

    def save(changed: BillingProfile) -> None:
        changed.tax_id = "".join(ch for ch in changed.tax_id if ch.isdigit())
        changed.full_clean()
        changed.save()

    audited_update(
        instance=profile,
        user=user,
        data=fields,
        fields=PROFILE_FIELDS,
        save=save,
        organization=organization,
        always=True,
    )
    return profile
