from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.billing.models import AspPricingFile, PayerContract
from chairside.billing.services import (
    asp_file_import,
    contract_drug_rate_set,
    payer_contract_save,
)
from chairside.billing.services.fees import DEMO_ASP_FILE
from chairside.billing.tests import factories as bf
from chairside.rules.billing.asp_file import parse_asp_csv
from tests import factories as f
from tests.factories import someone


@pytest.mark.django_db
class TestAspFileImport:
    def test_it_imports_the_published_layout(self, org: Any) -> None:
        record = asp_file_import(
            organization=org, data=bf.ASP_CSV.encode(), filename="a.csv", user=None
        )
        assert record.row_count == 2
        assert record.prices.get(hcpcs="J1745").payment_limit == Decimal("38.500")

    def test_it_replaces_a_reimported_quarter(self, org: Any) -> None:
        asp_file_import(organization=org, data=bf.ASP_CSV.encode(), filename="a.csv", user=None)
        revised = bf.ASP_CSV.replace("38.500", "38.750")
        asp_file_import(organization=org, data=revised.encode(), filename="b.csv", user=None)
        [only] = AspPricingFile.objects.filter(organization=org)
        assert only.prices.get(hcpcs="J1745").payment_limit == Decimal("38.750")

    def test_it_saves_nothing_from_a_bad_file(self, org: Any) -> None:
        with pytest.raises(ValidationError, match="not a number"):
            asp_file_import(
                organization=org,
                data=b"HCPCS Code,Payment Limit\nJ1745,x\n",
                filename="bad.csv",
                user=None,
            )
        assert not AspPricingFile.objects.exists()

    def test_the_demo_sample_keeps_the_published_layout_and_says_demo(self) -> None:
        parsed = parse_asp_csv(DEMO_ASP_FILE.read_text(encoding="utf-8"))
        assert parsed.is_demo
        assert len(parsed.rows) >= 10
        assert {"J1745", "J2350"} <= {r.hcpcs for r in parsed.rows}


@pytest.mark.django_db
class TestPayerContract:
    def test_it_refuses_a_payer_of_another_organization(self, org: Any, other_org: Any) -> None:
        payer = f.make_payer(other_org)
        with pytest.raises(ValidationError, match="payer of this organization"):
            payer_contract_save(organization=org, user=someone(), payer=payer)

    def test_it_refuses_a_second_contract_for_one_payer(self, org: Any) -> None:
        payer = f.make_payer(org)
        payer_contract_save(organization=org, user=someone(), payer=payer)
        with pytest.raises(ValidationError, match="already has a contract"):
            payer_contract_save(organization=org, user=someone(), payer=payer)

    def test_it_keeps_a_fixed_rate_exception_per_drug(self, org: Any) -> None:
        contract = payer_contract_save(organization=org, user=someone(), payer=f.make_payer(org))
        contract_drug_rate_set(
            contract=contract,
            hcpcs="j3262",
            basis="fixed",
            percent=None,
            rate=Decimal("4.10"),
            user=someone(),
        )
        contract_drug_rate_set(
            contract=contract,
            hcpcs="J3262",
            basis="fixed",
            percent=None,
            rate=Decimal("4.20"),
            user=someone(),
        )
        assert contract.drugs.get().rate == Decimal("4.20")
        with pytest.raises(ValidationError, match="fixed rate needs"):
            contract_drug_rate_set(
                contract=contract,
                hcpcs="J1745",
                basis="fixed",
                percent=None,
                rate=None,
                user=someone(),
            )
        assert PayerContract.objects.count() == 1
