"""An 835 for a hospital outpatient claim posts: CLP with facility type 13, lines matched by
code or by revenue code alone, a packaged line ($0, CO-97) that is not a denial, and a
claim-level deductible (CAS PR-1) that lowers the lines' payment to the claim's CLP04."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from chairside.billing.models import ClaimItem
from chairside.billing.services import claims_export, remittance_import
from chairside.billing.simulate import claim_payment, reversal_of, simulated_835
from chairside.billing.tests import factories as bf
from chairside.billing.tests.test_institutional_claims import department, hospital_claim
from chairside.rules.billing import claim_states as states
from chairside.rules.billing.x12.x12_835 import RemitAdjustment, ServicePayment

D = Decimal


@pytest.fixture
def sent(org: Any) -> Any:
    bf.billable_org(org)
    claim = hospital_claim(org, department(org), bf.medicare(org))
    claims_export(organization=org, claims=[claim], user=None)
    claim.refresh_from_db()
    return claim


def opps_payment(claim: Any) -> Any:
    """96413-PO paid 300; 96415-PO packaged (CO-97); J1745-PO paid 1400; the JW line paid
    by revenue code 0636 alone, 100; then the Part A deductible 257 at claim level."""
    lines = {i.line_number: i for i in claim.items.select_related("line")}

    def svc(n: int, paid: str, *adjustments: RemitAdjustment, by_revenue: bool = False) -> Any:
        item = lines[n]
        return ServicePayment(
            "" if by_revenue else item.line.code,
            () if by_revenue else item.line.modifier_list,
            item.charge,
            D(paid),
            item.line.units,
            "" if by_revenue else item.control_number,
            adjustments=adjustments,
            revenue_code=item.revenue_code,
        )

    services = (
        svc(1, "300", RemitAdjustment("CO", "45", lines[1].charge - 300)),
        svc(2, "0", RemitAdjustment("CO", "97", lines[2].charge)),
        svc(3, "1400", RemitAdjustment("CO", "45", lines[3].charge - 1400)),
        svc(4, "100", RemitAdjustment("CO", "45", lines[4].charge - 100), by_revenue=True),
    )
    return replace(
        claim_payment(claim),
        services=services,
        paid=D("1800") - D("257"),
        patient_responsibility=D("257"),
        adjustments=(RemitAdjustment("PR", "1", D("257")),),
    )


def post(claim: Any, *payments: Any, trace: str = "EFT-OPPS") -> Any:
    text = simulated_835([claim], trace=trace, paid_on=dt.date(2026, 4, 2), payments=payments)
    assert "*MA*PCN" in text and "*13*1~" in text  # CLP06 MA, CLP08 13, CLP09 1
    return remittance_import(
        organization=claim.organization, text=text, filename="a.835", user=None
    )


@pytest.mark.django_db
class TestInstitutionalRemittance:
    def test_the_simulated_payer_pays_an_837i_claim_in_full(self, sent: Any) -> None:
        post(sent, claim_payment(sent))
        sent.refresh_from_db()
        assert sent.state == states.PAID
        assert sent.balance == 0

    def test_it_posts_packaged_lines_revenue_code_lines_and_the_claim_deductible(
        self, sent: Any
    ) -> None:
        remittance = post(sent, opps_payment(sent))
        sent.refresh_from_db()
        assert remittance.claims.get().claim == sent
        assert sent.paid == D("1543.00")  # CLP04, not the lines' 1800
        assert sent.patient_responsibility == D("257.00")
        assert sent.balance == 0
        assert sent.state == states.PAID  # the packaged line is no denial
        assert not sent.denials.exists()
        items = {i.line_number: i for i in sent.items.all()}
        assert items[2].status == ClaimItem.Status.PACKAGED and items[2].paid == 0
        assert items[4].paid > 0  # matched by revenue code 0636 (the only open 0636 line)
        assert sum(i.patient_responsibility for i in items.values()) == D("257.00")
        assert sum(i.paid for i in items.values()) == D("1543.00")

    def test_a_reversal_takes_it_all_back(self, sent: Any) -> None:
        payment = opps_payment(sent)
        post(sent, payment)
        post(sent, reversal_of(payment), trace="EFT-REV")
        sent.refresh_from_db()
        assert sent.state == states.ACCEPTED
        assert (sent.paid, sent.patient_responsibility, sent.adjusted) == (0, 0, 0)
