from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.billing.models import (
    Claim,
    ClaimItem,
    Denial,
    ItemPayment,
    Remittance,
    UnmatchedRemittance,
)
from chairside.billing.services import charges_derive, claims_export, remittance_import
from chairside.billing.simulate import simulated_835
from chairside.billing.tests import factories as bf
from chairside.rules.billing import claim_states as states

PAID_ON = dt.date(2026, 4, 2)


@pytest.fixture
def billing(org: Any) -> Any:
    bf.billable_org(org)
    return org


def submitted(org: Any, *payers: Any, **changes: Any) -> Any:
    patient = bf.billable_patient(org)
    facts = bf.facts_for(patient, *payers, **changes)
    claim = charges_derive(
        organization=org, patient=patient, location=None, facts=facts
    ).claims.get()
    claims_export(organization=org, claims=[claim], user=None)
    claim.refresh_from_db()
    return claim


def post(org: Any, text: Any, user: Any = None) -> Any:
    return remittance_import(organization=org, text=text, filename="era.835", user=user)


@pytest.mark.django_db
class TestRemittanceImport:
    def test_it_posts_payments_and_patient_responsibility_to_the_lines(self, billing: Any) -> None:
        claim = submitted(billing, bf.medicare(billing))
        remittance = post(billing, simulated_835([claim], trace="EFT1", paid_on=PAID_ON))
        claim.refresh_from_db()
        assert claim.state == states.PAID
        assert claim.paid == claim.expected_payer == Decimal("1350.05")
        assert claim.patient_responsibility == claim.expected_patient == Decimal("344.40")
        # Totals reconcile to the cent: charge = paid + adjustments + patient share.
        assert claim.balance == Decimal(0)
        assert claim.paid + claim.adjusted + claim.patient_responsibility == claim.total_charge
        assert remittance.total_paid == claim.paid
        assert remittance.payer_id == claim.payer_id
        assert ItemPayment.objects.filter(remittance_claim__claim=claim).count() == 4
        item = claim.items.get(line_number=3)
        codes = sorted(a.code for p in item.payments.all() for a in p.adjustments.all())
        assert codes == ["CO-253", "CO-45", "PR-2"]

    def test_it_moves_a_denied_line_to_the_denials_queue(
        self, billing: Any, admin_user: Any
    ) -> None:
        payer = bf.commercial(billing, appeal_window_days=90)
        claim = submitted(billing, payer)
        Claim.objects.filter(pk=claim.pk).update(assigned_to=admin_user)
        text = simulated_835(
            [claim], trace="EFT2", paid_on=PAID_ON, denied={claim.pk: {4: ("16", "M119")}}
        )
        post(billing, text)
        claim.refresh_from_db()
        assert claim.state == states.PARTIALLY_PAID
        denial = Denial.objects.get()
        assert denial.item is not None and denial.item.line.modifiers == "JW"
        assert denial.reason_codes == "CO-16, M119"
        assert "lacks information" in denial.reason and "National Drug Code" in denial.reason
        assert denial.appeal_deadline == PAID_ON + dt.timedelta(days=90)
        assert denial.assigned_to == admin_user
        assert denial.amount == claim.items.get(line_number=4).expected_payer

    def test_it_denies_the_claim_when_no_line_is_paid(self, billing: Any) -> None:
        claim = submitted(billing, bf.commercial(billing))
        denied = {n: ("197", "N54") for n in range(1, 5)}
        post(
            billing,
            simulated_835([claim], trace="EFT3", paid_on=PAID_ON, denied={claim.pk: denied}),
        )
        claim.refresh_from_db()
        assert claim.state == states.DENIED
        assert Denial.objects.filter(claim=claim).count() == 4
        assert "CO-197" in claim.state_changes.last().reason

    def test_it_builds_the_secondary_claim_with_the_primarys_payment(
        self, billing: Any, admin_user: Any
    ) -> None:
        medigap = bf.commercial(billing, name="Medigap G", patient_share_percent=Decimal(0))
        claim = submitted(billing, bf.medicare(billing), medigap)
        post(billing, simulated_835([claim], trace="EFT4", paid_on=PAID_ON))
        secondary = Claim.objects.get(encounter=claim.encounter, sequence=2)
        claim.refresh_from_db()
        assert secondary.state == states.READY, secondary.problems
        assert secondary.expected_payer == claim.patient_responsibility
        export = claims_export(organization=billing, claims=[secondary], user=admin_user)
        assert "AMT*D*1350.05~" in export.content
        assert "SBR*S*18" in export.content and "SVD*12502*" in export.content
        secondary.refresh_from_db()
        post(billing, simulated_835([secondary], trace="EFT5", paid_on=PAID_ON))
        secondary.refresh_from_db()
        assert secondary.state == states.PAID
        assert secondary.paid == claim.patient_responsibility

    def test_it_rejects_a_malformed_835_with_the_segment_and_posts_nothing(
        self, billing: Any
    ) -> None:
        claim = submitted(billing, bf.medicare(billing))
        text = simulated_835([claim], trace="EFT6", paid_on=PAID_ON)
        broken = text.replace("SVC*HC:96413*450*117.6**1~", "SVC*HC:96413*450*117.7**1~")
        with pytest.raises(ValidationError) as caught:
            post(billing, broken)
        [message] = caught.value.messages
        assert message.startswith("The 835 was rejected at segment ")
        assert message.endswith("Nothing was posted.")
        assert not Remittance.objects.exists()
        claim.refresh_from_db()
        assert claim.state == states.SUBMITTED and claim.paid == 0

    def test_it_names_the_segment_of_a_structural_error(self, billing: Any) -> None:
        claim = submitted(billing, bf.medicare(billing))
        text = simulated_835([claim], trace="EFT7", paid_on=PAID_ON)
        with pytest.raises(ValidationError, match=r"segment \w+ \(line \d+\)"):
            post(billing, text.replace("TRN*1*EFT7", "TRN*9*EFT7"))

    def test_it_queues_an_unknown_claim_and_posts_the_others(
        self, billing: Any, other_org: Any
    ) -> None:
        """One payment that matches no claim of ours does not block the file: it goes to
        the unmatched-remittance queue and the rest posts."""
        payer = bf.medicare(billing)
        ours = submitted(billing, payer)
        bf.billable_org(other_org)
        other_payer = bf.medicare(other_org)
        submitted(other_org, other_payer)
        theirs = submitted(other_org, other_payer)  # C0000002: no claim of ours has it
        text = simulated_835([ours, theirs], trace="EFT8", paid_on=PAID_ON)
        remittance = post(billing, text)
        ours.refresh_from_db()
        assert ours.state == states.PAID and ours.paid > 0
        [unmatched] = UnmatchedRemittance.objects.filter(organization=billing)
        assert unmatched.control_number == theirs.control_number
        assert unmatched.remittance == remittance and not unmatched.resolved
        assert "not one of ours" in unmatched.reason
        assert not ItemPayment.objects.filter(item__claim=theirs).exists()

    def test_it_refuses_to_post_the_same_payment_twice(self, billing: Any) -> None:
        claim = submitted(billing, bf.medicare(billing))
        text = simulated_835([claim], trace="EFT9", paid_on=PAID_ON)
        post(billing, text)
        with pytest.raises(ValidationError, match="already posted"):
            post(billing, text)

    def test_it_queues_a_payment_for_a_claim_not_submitted(self, billing: Any) -> None:
        patient = bf.billable_patient(billing)
        facts = bf.facts_for(patient, bf.medicare(billing))
        claim = charges_derive(
            organization=billing, patient=patient, location=None, facts=facts
        ).claims.get()
        post(billing, simulated_835([claim], trace="EFT10", paid_on=PAID_ON))
        claim.refresh_from_db()
        assert claim.state == states.READY and claim.paid == 0
        [unmatched] = UnmatchedRemittance.objects.all()
        assert unmatched.claim == claim
        assert "Ready to submit; only a sent claim" in unmatched.reason

    def test_it_resolves_an_appealed_denial_when_the_line_is_paid(
        self, billing: Any, admin_user: Any
    ) -> None:
        from chairside.billing.services import claim_transition

        claim = submitted(billing, bf.commercial(billing))
        post(
            billing,
            simulated_835([claim], trace="A1", paid_on=PAID_ON, denied={claim.pk: {4: ("16", "")}}),
        )
        claim_transition(claim=claim, to_state=states.APPEALED, user=admin_user)
        assert Denial.objects.get().status == "appealed"
        item = claim.items.get(line_number=4)
        # The payer pays the appealed line on a new remittance.
        ClaimItem.objects.filter(pk=item.pk).update(status="open")
        claim.refresh_from_db()
        text = simulated_835([claim], trace="A2", paid_on=PAID_ON + dt.timedelta(days=30))
        post(billing, text)
        assert Denial.objects.get().status == "resolved"
