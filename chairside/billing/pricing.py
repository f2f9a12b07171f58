"""Prices on file for one organization: charge master, ASP limits, WAC, contracts.

Read-only helpers the services use to price lines; each reads one organization's rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from django.db.models import Q

from chairside.billing.models import (
    AspPrice,
    BillingProfile,
    ChargeMasterItem,
    DrugPrice,
    MueTable,
    PayerContract,
)
from chairside.billing.models.fees import DEFAULT_APPEAL_DAYS, MEDICARE_APPEAL_DAYS
from chairside.rules.billing.mue_file import load_shipped
from chairside.rules.billing.reimbursement import ContractTerms, DrugTerms


class PriceBook:
    """Every price one organization has on file, loaded once per use case."""

    def __init__(self, organization: Any) -> None:
        self.organization = organization
        self._asp: dict[dt.date, dict[str, Decimal]] = {}
        self._contracts: dict[int, PayerContract | None] = {}

    @cached_property
    def charges(self) -> dict[str, Decimal]:
        rows = ChargeMasterItem.objects.filter(organization=self.organization)
        return dict(rows.values_list("code", "price_per_unit"))

    @cached_property
    def revenue_codes(self) -> dict[str, str]:
        """The charge master's own revenue codes (UB-04 FL 42) by code, where set."""
        rows = ChargeMasterItem.objects.filter(organization=self.organization).exclude(
            revenue_code=""
        )
        return dict(rows.values_list("code", "revenue_code"))

    @cached_property
    def drug_prices(self) -> dict[str, DrugPrice]:
        return {p.hcpcs: p for p in DrugPrice.objects.filter(organization=self.organization)}

    def charge(self, code: str, units: int) -> Decimal | None:
        price = self.charges.get(code)
        return None if price is None else price * units

    def asp_limits(self, day: dt.date) -> dict[str, Decimal]:
        """The payment limits of the ASP file in effect on ``day`` (else the latest file)."""
        if day not in self._asp:
            prices = AspPrice.objects.filter(file__organization=self.organization)
            effective = prices.filter(
                Q(file__effective_from__lte=day) | Q(file__effective_from__isnull=True),
                Q(file__effective_to__gte=day) | Q(file__effective_to__isnull=True),
            )
            chosen = effective if effective.exists() else prices
            latest = chosen.order_by("-file__effective_from", "-file__created_at").first()
            self._asp[day] = (
                {}
                if latest is None
                else dict(
                    AspPrice.objects.filter(file=latest.file).values_list("hcpcs", "payment_limit")
                )
            )
        return self._asp[day]

    def asp_coinsurance(self, hcpcs: str, day: dt.date) -> Decimal | None:
        """The reduced Part B coinsurance % of the ASP file in effect on ``day`` for the code
        (the file's "Co-insurance Percentage"), or None: the standard 20%. Only a file whose
        quarter covers ``day`` counts — the reduction applies to that quarter alone."""
        row = (
            AspPrice.objects.filter(
                file__organization=self.organization,
                hcpcs=hcpcs,
                file__effective_from__lte=day,
                file__effective_to__gte=day,
                coinsurance_percent__isnull=False,
            )
            .order_by("-file__created_at")
            .first()
        )
        if row is None or row.coinsurance_percent is None or row.coinsurance_percent >= 20:
            return None
        return row.coinsurance_percent

    def wac(self, hcpcs: str) -> Decimal | None:
        price = self.drug_prices.get(hcpcs)
        return price.wac_per_unit if price else None

    def acquisition_cost(self, hcpcs: str) -> Decimal | None:
        price = self.drug_prices.get(hcpcs)
        return price.acquisition_cost_per_unit if price else None

    def contract(self, payer: Any) -> PayerContract | None:
        if payer.pk not in self._contracts:
            self._contracts[payer.pk] = (
                PayerContract.objects.filter(organization=self.organization, payer=payer)
                .prefetch_related("drugs", "admin_fees")
                .first()
            )
        return self._contracts[payer.pk]

    def terms(self, payer: Any) -> ContractTerms | None:
        contract = self.contract(payer)
        if contract is None:
            return None
        return contract_terms(contract)


def contract_terms(contract: PayerContract) -> ContractTerms:
    """The pure ``rules.billing.reimbursement.ContractTerms`` of a stored contract."""
    return ContractTerms(
        payer_kind=contract.payer.kind,
        drug_default=_drug_terms(contract.drug_basis, contract.drug_percent, contract.drug_rate),
        drug_overrides={
            d.hcpcs: _drug_terms(d.basis, d.percent, d.rate) for d in contract.drugs.all()
        },
        admin_fees={fee.cpt: fee.amount for fee in contract.admin_fees.all()},
        patient_share_percent=contract.patient_share_percent,
        secondary_covers_percent=contract.secondary_covers_percent,
    )


def _drug_terms(basis: str, percent: Decimal, rate: Decimal | None) -> DrugTerms:
    return DrugTerms(basis, percent, rate)


def appeal_window_days(contract: PayerContract | None, payer: Any) -> int:
    if contract is not None:
        return contract.appeal_window_days
    return (
        MEDICARE_APPEAL_DAYS
        if payer is not None and payer.kind == "medicare_b"
        else (DEFAULT_APPEAL_DAYS)
    )


def billing_profile(organization: Any) -> BillingProfile:
    """The organization's billing profile, made from the organization's own data if new."""
    profile = BillingProfile.objects.filter(organization=organization).first()
    if profile is not None:
        return profile
    return BillingProfile(
        organization=organization,
        billing_name=organization.name,
        npi=organization.group_npi,
        tax_id=organization.tax_id,
        contact_phone=organization.phone,
    )


SHIPPED_MUE_FILE = Path(__file__).resolve().parent / "data" / "mue_practitioner.json"


def mue_limits(organization: Any) -> tuple[dict[str, int], str]:
    """The practitioner MUE values the claim check uses and where they come from: the
    newest imported CMS table, else the verified values shipped with Chairside."""
    table = MueTable.objects.filter(organization=organization).first()
    if table is not None:
        dated = f", {table.file_date:%m/%d/%Y}" if table.file_date else ""
        return {str(k): int(v) for k, v in table.values.items()}, f"{table.source}{dated}"
    shipped = load_shipped(SHIPPED_MUE_FILE)
    dated = f", {shipped.file_date}" if shipped.file_date else ""
    return shipped.values, f"CMS practitioner MUE table{dated}"
