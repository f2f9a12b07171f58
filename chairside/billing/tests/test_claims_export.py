from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.billing.models import Claim, ClaimExport
from chairside.billing.services import charges_derive, claim_check, claim_transition, claims_export
from chairside.billing.tests import factories as bf
from chairside.rules.billing import claim_states as states
from chairside.rules.billing.x12.x12_validate import validate_x12


@pytest.fixture
def billing(org: Any) -> Any:
    bf.billable_org(org)
    return org


def ready_claim(org: Any, *payers: Any, **changes: Any) -> Any:
    patient = bf.billable_patient(org)
    facts = bf.facts_for(patient, *payers, **changes)
    encounter = charges_derive(organization=org, patient=patient, location=None, facts=facts)
    return encounter.claims.get(sequence=1)


@pytest.mark.django_db
class TestClaimCheck:
    def test_it_moves_a_fixed_claim_back_to_ready(self, billing: Any, admin_user: Any) -> None:
        payer = bf.medicare(billing)
        claim = ready_claim(billing, payer, diagnoses=())
        assert claim.state == states.DRAFT
        encounter = claim.encounter
        encounter.facts["diagnoses"] = ["K50.90"]
        encounter.save()
        assert claim_check(claim=claim, user=admin_user) == []
        claim.refresh_from_db()
        assert claim.state == states.READY
        assert claim.state_changes.last().to_state == states.READY

    def test_it_refuses_to_check_a_submitted_claim(self, billing: Any, admin_user: Any) -> None:
        claim = ready_claim(billing, bf.medicare(billing))
        claims_export(organization=billing, claims=[claim], user=admin_user)
        with pytest.raises(ValidationError, match="nothing to check"):
            claim_check(claim=claim, user=admin_user)


@pytest.mark.django_db
class TestClaimsExport:
    def test_it_writes_an_837p_pyx12_accepts_and_submits_the_claims(
        self, billing: Any, admin_user: Any
    ) -> None:
        payer = bf.medicare(billing)
        claims = [ready_claim(billing, payer), ready_claim(billing, payer)]
        export = claims_export(organization=billing, claims=claims, user=admin_user)
        assert validate_x12(export.content) == []
        assert export.claim_count == 2 and export.control_number == 1
        assert export.total_charge == sum(c.total_charge for c in claims)
        for claim in claims:
            claim.refresh_from_db()
            assert claim.state == states.SUBMITTED
            assert f"CLM*{claim.control_number}*3625***11:B:1" in export.content
        assert "REF*6R*" + claims[0].control_number + "-1~" in export.content

    def test_it_numbers_files_one_after_another(self, billing: Any, admin_user: Any) -> None:
        payer = bf.medicare(billing)
        first = claims_export(organization=billing, claims=[ready_claim(billing, payer)], user=None)
        second = claims_export(
            organization=billing, claims=[ready_claim(billing, payer)], user=None
        )
        assert (first.control_number, second.control_number) == (1, 2)
        assert "ISA*00*" in second.content and "*000000002*0*T*:~" in second.content

    def test_it_refuses_a_claim_that_is_not_ready_and_sends_nothing(
        self, billing: Any, admin_user: Any
    ) -> None:
        payer = bf.medicare(billing)
        good = ready_claim(billing, payer)
        bad = ready_claim(billing, payer, diagnoses=())
        with pytest.raises(ValidationError) as caught:
            claims_export(organization=billing, claims=[good, bad], user=admin_user)
        assert f"Claim {bad.control_number} is Draft, not ready." in caught.value.messages
        assert not ClaimExport.objects.exists()
        good.refresh_from_db()
        assert good.state == states.READY

    def test_it_refuses_another_organizations_claim(
        self, billing: Any, other_org: Any, admin_user: Any
    ) -> None:
        bf.billable_org(other_org)
        foreign = ready_claim(other_org, bf.medicare(other_org))
        with pytest.raises(ValidationError, match="another organization"):
            claims_export(organization=billing, claims=[foreign], user=admin_user)

    def test_it_refuses_to_send_when_the_billing_profile_lost_its_npi(
        self, billing: Any, admin_user: Any
    ) -> None:
        claim = ready_claim(billing, bf.medicare(billing))
        billing_profile = claim.organization
        from chairside.billing.models import BillingProfile

        BillingProfile.objects.filter(organization=billing_profile).update(npi="")
        with pytest.raises(ValidationError) as caught:
            claims_export(organization=billing, claims=[claim], user=admin_user)
        assert any("billing provider (group) NPI is missing" in m for m in caught.value.messages)
        claim.refresh_from_db()
        assert claim.state == states.READY  # the failed attempt changed nothing


@pytest.mark.django_db
class TestClaimTransition:
    def test_it_records_a_rejection_with_its_reason(self, billing: Any, admin_user: Any) -> None:
        claim = ready_claim(billing, bf.medicare(billing))
        claims_export(organization=billing, claims=[claim], user=admin_user)
        claim_transition(
            claim=claim,
            to_state=states.REJECTED,
            user=admin_user,
            reason="Invalid member ID (277CA)",
        )
        claim.refresh_from_db()
        assert claim.state == states.REJECTED
        assert claim.state_changes.last().reason == "Invalid member ID (277CA)"

    def test_it_refuses_a_rejection_without_reason(self, billing: Any, admin_user: Any) -> None:
        claim = ready_claim(billing, bf.medicare(billing))
        claims_export(organization=billing, claims=[claim], user=admin_user)
        with pytest.raises(ValidationError, match="reason"):
            claim_transition(claim=claim, to_state=states.REJECTED, user=admin_user)

    def test_it_leaves_paid_to_the_remittance(self, billing: Any, admin_user: Any) -> None:
        claim = ready_claim(billing, bf.medicare(billing))
        with pytest.raises(ValidationError, match="set by the check"):
            claim_transition(claim=claim, to_state=states.PAID, user=admin_user)

    def test_it_rebuilds_a_rejected_claim_from_the_corrected_visit(
        self, billing: Any, admin_user: Any
    ) -> None:
        payer = bf.medicare(billing)
        claim = ready_claim(billing, payer)
        claims_export(organization=billing, claims=[claim], user=admin_user)
        claim_transition(claim=claim, to_state=states.REJECTED, user=admin_user, reason="x")
        encounter = claim.encounter
        facts = replace(encounter.encounter_facts(), diagnoses=("M05.79",))
        charges_derive(organization=billing, patient=encounter.patient, location=None, facts=facts)
        claim.refresh_from_db()
        assert claim.state == states.READY
        assert Claim.objects.filter(encounter=encounter).count() == 1
